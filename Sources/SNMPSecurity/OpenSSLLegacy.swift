import COpenSSL

/// The USM algorithms that swift-crypto lacks, from OpenSSL 3's libcrypto: DES-CBC (legacy provider) and SHA-224.
///
/// The providers are loaded into a library context of our own rather than OpenSSL's default one, so that loading
/// the legacy provider changes nothing for other users of libcrypto in the process (net-snmp's MIB code links it).
enum OpenSSLLegacy {
    /// The fetched algorithms; immutable after the fetch, and OpenSSL documents fetched EVP_CIPHER/EVP_MD objects and
    /// library contexts as safe to share between threads.
    private struct Algorithms: @unchecked Sendable {
        let context: OpaquePointer
        let desCBC: OpaquePointer?
        let sha224: OpaquePointer?
    }

    private static let algorithms: Algorithms? = {
        guard let context = OSSL_LIB_CTX_new() else { return nil }
        // Loading any provider explicitly stops the implicit load of "default", so both are named.
        let legacy = OSSL_PROVIDER_load(context, "legacy")
        let standard = OSSL_PROVIDER_load(context, "default")
        guard standard != nil else { return nil }
        return Algorithms(
            context: context,
            desCBC: legacy == nil ? nil : EVP_CIPHER_fetch(context, "DES-CBC", nil),
            sha224: EVP_MD_fetch(context, "SHA224", nil))
    }()

    /// Whether DES-CBC can be used (OpenSSL's legacy provider loaded).
    static var hasDES: Bool { algorithms?.desCBC != nil }

    /// Whether SHA-224 can be used.
    static var hasSHA224: Bool { algorithms?.sha224 != nil }

    /// SHA-224 of `data`; nil when OpenSSL cannot provide it.
    static func sha224(_ data: [UInt8]) -> [UInt8]? {
        guard let algorithms, algorithms.sha224 != nil else { return nil }
        var digest = [UInt8](repeating: 0, count: 28)
        var length = 0
        let status = data.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Q_digest(
                    algorithms.context, "SHA224", nil, input.baseAddress, input.count, output.baseAddress, &length)
            }
        }
        guard status == 1, length == 28 else { return nil }
        return digest
    }

    /// HMAC-SHA-224 of `data` under `key` (full 28 octets); nil when OpenSSL cannot provide it.
    static func hmacSHA224(key: [UInt8], data: [UInt8]) -> [UInt8]? {
        guard let algorithms, algorithms.sha224 != nil else { return nil }
        var mac = [UInt8](repeating: 0, count: 28)
        var length = 0
        let result = key.withUnsafeBufferPointer { keyBytes in
            data.withUnsafeBufferPointer { input in
                mac.withUnsafeMutableBufferPointer { output in
                    EVP_Q_mac(
                        algorithms.context, "HMAC", nil, "SHA224", nil, keyBytes.baseAddress, keyBytes.count,
                        input.baseAddress, input.count, output.baseAddress, output.count, &length)
                }
            }
        }
        guard result != nil, length == 28 else { return nil }
        return mac
    }

    /// DES-CBC without padding over whole 8-octet blocks; nil when OpenSSL fails or has no DES, or when `input` is
    /// empty or not a multiple of 8 octets.
    static func desCBC(encrypt: Bool, key: [UInt8], iv: [UInt8], input: ArraySlice<UInt8>) -> [UInt8]? {
        guard let algorithms, let cipher = algorithms.desCBC, key.count == 8, iv.count == 8,
            !input.isEmpty, input.count % 8 == 0, input.count <= Int(Int32.max) - 8
        else { return nil }
        guard let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_CipherInit_ex2(context, cipher, key, iv, encrypt ? 1 : 0, nil) == 1,
            EVP_CIPHER_CTX_set_padding(context, 0) == 1
        else { return nil }
        var output = [UInt8](repeating: 0, count: input.count + 8)
        var written: Int32 = 0
        var finalWritten: Int32 = 0
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target -> Int32 in
                guard let targetBase = target.baseAddress,
                    EVP_CipherUpdate(context, targetBase, &written, source.baseAddress, Int32(source.count)) == 1
                else { return 0 }
                return EVP_CipherFinal_ex(context, targetBase + Int(written), &finalWritten)
            }
        }
        guard status == 1 else { return nil }
        output.removeLast(output.count - Int(written + finalWritten))
        return output
    }
}
