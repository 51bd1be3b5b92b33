import ArgumentParser
import Foundation
import ProverService
import Wire

/// Options shared by the commands that talk to a scheduler's control endpoint.
struct ControlOptions: ParsableArguments {
    @Option(name: .customLong("control-port"), help: "Scheduler control port [env: MRP_CONTROL_PORT, default 8083].")
    var controlPort: Int?
    @Option(name: .customLong("control-host"), help: "Scheduler host; its control endpoint answers loopback callers only, so this is for checking that [default 127.0.0.1].")
    var controlHost: String = "127.0.0.1"
    @Option(name: .customLong("control-token"), help: "Control token, if the scheduler requires one [env: MRP_CONTROL_TOKEN].")
    var token: String?

    var endpoint: String {
        "tcp://\(controlHost):\(controlPort ?? Configuration.environment(CtlEnvironment().controlPort).flatMap(Int.init) ?? 8083)"
    }

    func send(_ build: (inout Mrp_Internal_V1_ControlRequest) -> Void) throws -> Mrp_Internal_V1_ControlResponse {
        var request = Mrp_Internal_V1_ControlRequest()
        build(&request)
        request.token = token ?? Configuration.environment(CtlEnvironment().controlToken) ?? ""
        let response = try ControlClient.send(request, to: endpoint)
        guard response.ok else { throw CommandError("scheduler refused: \(response.error)") }
        return response
    }
}

/// Worker addresses from the positional comma list, else `MRP_PROXY_WORKERS_LIST`.
func workerList(_ positional: String?) throws -> [String] {
    guard let text = positional ?? Configuration.environment(CtlEnvironment().workers) else {
        throw ValidationError("give workers as host:port[,host:port…] or set MRP_PROXY_WORKERS_LIST")
    }
    let list = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !list.isEmpty else { throw ValidationError("the worker list is empty") }
    return list
}

/// Prints the scheduler's workers as a table.
func printWorkers(_ status: Mrp_Internal_V1_SchedulerStatus) {
    print("queue: \(status.queueSize)/\(status.queueCapacity)")
    print(pad("WORKER", 24) + pad("HEALTH", 11) + pad("BUSY", 6) + pad("TYPE", 13) + pad("VERSION", 9) + "REQUESTS")
    for w in status.workers {
        print(pad(w.address, 24) + pad("\(w.health)".uppercased(), 11) + pad(w.busy ? "yes" : "no", 6)
              + pad("\(w.proofType)", 13) + pad(w.version.isEmpty ? "-" : w.version, 9) + "\(w.requests)")
    }
}

func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }

/// `ctl add-workers`.
struct AddWorkersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add-workers", abstract: "Add workers to the scheduler's pool (no restart).")
    @Argument(help: "host:port[,host:port…] (default: MRP_PROXY_WORKERS_LIST).") var workers: String?
    @OptionGroup var control: ControlOptions

    func run() throws {
        let list = try workerList(workers)
        let response = try control.send { $0.addWorkers = .with { $0.addresses = list } }
        printWorkers(response.status)
    }
}

/// `ctl remove-workers`.
struct RemoveWorkersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove-workers", abstract: "Remove workers from the scheduler's pool (no restart).")
    @Argument(help: "host:port[,host:port…] (default: MRP_PROXY_WORKERS_LIST).") var workers: String?
    @OptionGroup var control: ControlOptions

    func run() throws {
        let list = try workerList(workers)
        let response = try control.send { $0.removeWorkers = .with { $0.addresses = list } }
        printWorkers(response.status)
    }
}

/// `ctl list-workers`.
struct ListWorkersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-workers", abstract: "List the scheduler's workers and their health.")
    @OptionGroup var control: ControlOptions

    func run() throws {
        let response = try control.send { $0.listWorkers = Mrp_Internal_V1_ListWorkers() }
        printWorkers(response.status)
    }
}
