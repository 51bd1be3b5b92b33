import Foundation
import GRPCNIOTransportHTTP2

/// TLS for one of our gRPC servers (a proxy's public endpoint, a worker): a PEM certificate chain and
/// private key; with a client CA, every client must present a certificate that CA signed (mutual TLS).
public struct ServerTLSSettings: Sendable, Hashable {
    public var certificateChainFile: String
    public var privateKeyFile: String
    public var clientCAFile: String?

    public init(certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.clientCAFile = clientCAFile
    }

    /// The transport security grpc-swift-nio-transport takes.
    public var transportSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
        let chain: [TLSConfig.CertificateSource] = [.file(path: certificateChainFile, format: .pem)]
        let key: TLSConfig.PrivateKeySource = .file(path: privateKeyFile, format: .pem)
        guard let clientCAFile else { return .tls(certificateChain: chain, privateKey: key) }
        return .mTLS(certificateChain: chain, privateKey: key) { config in
            config.trustRoots = .certificates([.file(path: clientCAFile, format: .pem)])
            config.clientCertificateVerification = .noHostnameVerification
        }
    }

    /// Settings from flags or the named variables: certificate and key both or neither (nil =
    /// plaintext h2c); a client CA only with them. Every file must be readable PEM.
    public static func resolve(
        certificate: String?, key: String?, clientCA: String?, variables: (certificate: String, key: String, clientCA: String)
    ) throws(TLSSettingsError) -> ServerTLSSettings? {
        let certificate = certificate ?? Configuration.environment(variables.certificate)
        let key = key ?? Configuration.environment(variables.key)
        let clientCA = clientCA ?? Configuration.environment(variables.clientCA)
        switch (certificate, key) {
        case (let certificate?, let key?):
            try TLSSettingsError.checkPEM(certificate, what: "certificate chain")
            try TLSSettingsError.checkPEM(key, what: "private key")
            if let clientCA { try TLSSettingsError.checkPEM(clientCA, what: "client CA") }
            return ServerTLSSettings(certificateChainFile: certificate, privateKeyFile: key, clientCAFile: clientCA)
        case (nil, nil):
            if clientCA != nil { throw TLSSettingsError(message: "a client CA needs the server's own certificate and key (--tls-cert-file, --tls-key-file)") }
            return nil
        case (nil, _?): throw TLSSettingsError(message: "a TLS private key needs its certificate chain: --tls-cert-file")
        case (_?, nil): throw TLSSettingsError(message: "a TLS certificate needs its private key: --tls-key-file")
        }
    }
}

/// TLS for the scheduler's calls to workers: the CA that signed the workers' certificates (else the
/// system's roots) and, for workers that require it, the scheduler's own client certificate.
public struct ClientTLSSettings: Sendable, Hashable {
    public var caFile: String?
    public var certificateChainFile: String?
    public var privateKeyFile: String?

    public init(caFile: String? = nil, certificateChainFile: String? = nil, privateKeyFile: String? = nil) {
        self.caFile = caFile
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
    }

    /// The transport security grpc-swift-nio-transport takes (server certificates fully verified).
    public var transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
        .tls { config in
            if let caFile { config.trustRoots = .certificates([.file(path: caFile, format: .pem)]) }
            if let certificateChainFile, let privateKeyFile {
                config.certificateChain = [.file(path: certificateChainFile, format: .pem)]
                config.privateKey = .file(path: privateKeyFile, format: .pem)
            }
        }
    }

    /// Checks the files: readable PEM, a client certificate with its key or neither.
    public func validated() throws(TLSSettingsError) -> ClientTLSSettings {
        if let caFile { try TLSSettingsError.checkPEM(caFile, what: "CA") }
        switch (certificateChainFile, privateKeyFile) {
        case (let certificate?, let key?):
            try TLSSettingsError.checkPEM(certificate, what: "client certificate")
            try TLSSettingsError.checkPEM(key, what: "client private key")
        case (nil, nil): break
        default: throw TLSSettingsError(message: "a client certificate and its private key go together")
        }
        return self
    }
}

/// A TLS setting that cannot work, found before anything listens or connects.
public struct TLSSettingsError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    static func checkPEM(_ path: String, what: String) throws(TLSSettingsError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw TLSSettingsError(message: "TLS \(what) \(path) cannot be read") }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN ") else {
            throw TLSSettingsError(message: "TLS \(what) \(path) is not PEM (no -----BEGIN line)")
        }
    }
}
