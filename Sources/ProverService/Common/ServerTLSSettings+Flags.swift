/// How the `--tls-cert-file`, `--tls-key-file` and `--tls-client-ca-file` flags of a gRPC server
/// command (proxy, worker) are read, and how the outcome is logged.
extension ServerTLSSettings {
    /// Settings from the flags, else from `<prefix>_CERT_FILE`, `<prefix>_KEY_FILE` and
    /// `<prefix>_CLIENT_CA_FILE` (e.g. prefix `MRP_WORKER_TLS`); see ``resolve(certificate:key:clientCA:variables:)``.
    public static func resolve(
        certificate: String?, key: String?, clientCA: String?, environmentPrefix prefix: String
    ) throws(TLSSettingsError) -> ServerTLSSettings? {
        try resolve(
            certificate: certificate, key: key, clientCA: clientCA,
            variables: (prefix + "_CERT_FILE", prefix + "_KEY_FILE", prefix + "_CLIENT_CA_FILE"))
    }

    /// "off", "on" or "mutual": a server's TLS mode for its ready log line.
    public static func mode(_ settings: ServerTLSSettings?) -> String {
        settings.map { $0.clientCAFile == nil ? "on" : "mutual" } ?? "off"
    }
}
