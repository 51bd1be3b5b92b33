/// A group of `MRP_*` environment variable names that are read together.
///
/// The group's stored properties are the names: each `String` property is one variable and each
/// nested group adds its own. ``names`` lists them by reflection, so a name declared in a group is a
/// name listed — the packaging and manifest checks read the lists, the settings code reads the
/// variables through the same properties, and nothing spells a derived name twice.
public protocol EnvironmentVariableGroup: Sendable {}

extension EnvironmentVariableGroup {
    /// Every variable of the group, nested groups included, in declaration order, without repeats.
    public var names: [String] {
        var seen = Set<String>()
        return Mirror(reflecting: self).children.flatMap { child -> [String] in
            if let name = child.value as? String { return [name] }
            if let group = child.value as? any EnvironmentVariableGroup { return group.names }
            return []
        }.filter { seen.insert($0).inserted }
    }
}
