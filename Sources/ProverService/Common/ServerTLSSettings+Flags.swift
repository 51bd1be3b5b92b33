/// How the `--tls-cert-file`, `--tls-key-file` and `--tls-client-ca-file` flags of a gRPC server
/// command (proxy, worker) are read, and how the outcome is logged.
extension ServerTLSSettings {
    /// Settings from the flags, else from the process's TLS variables (e.g. `MRP_WORKER_TLS_CERT_FILE`,
    /// `…_KEY_FILE`, `…_CLIENT_CA_FILE`); see ``resolve(certificate:key:clientCA:variables:)``.
    public static func resolve(
        certificate: String?, key: String?, clientCA: String?, variables: ServerTLSVariables
    ) throws(TLSSettingsError) -> ServerTLSSettings? {
        try resolve(
            certificate: certificate, key: key, clientCA: clientCA,
            variables: (variables.certificate, variables.key, variables.clientCA))
    }

    /// "off", "on" or "mutual": a server's TLS mode for its ready log line.
    public static func mode(_ settings: ServerTLSSettings?) -> String {
        settings.map { $0.clientCAFile == nil ? "on" : "mutual" } ?? "off"
    }
}
