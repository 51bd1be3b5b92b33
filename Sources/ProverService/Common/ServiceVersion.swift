/// The version every process reports in its status; schedulers accept workers whose version
/// matches `~MAJOR.MINOR`.
public enum ServiceVersion {
    public static let current = "0.1.0"
}
