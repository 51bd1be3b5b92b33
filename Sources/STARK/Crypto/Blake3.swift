/// BLAKE3 (hash, keyed hash, key derivation and extendable output), written from the specification.
///
/// The compression function works on plain `UInt32` values (no arrays, no heap), and the hot
/// single-block entry points used for Merkle trees and transcripts — `mergeDigests` and `hash40` —
/// are `@inlinable` so that they are specialised into the callers' loops.
///
/// Inputs of any length are hashed as the BLAKE3 binary tree of 1024-byte chunks; the one-shot
/// functions recurse over the tree instead of keeping a chaining-value stack, so nothing is allocated
/// except the returned byte arrays of the extendable-output functions.
public enum Blake3 {
    // MARK: Constants

    /// Bytes in a message block.
    @usableFromInline static var blockLength: Int { 64 }
    /// Bytes in a chunk (16 blocks).
    @usableFromInline static var chunkLength: Int { 1024 }

    /// Domain-separation flag: first block of a chunk.
    @usableFromInline static var chunkStart: UInt32 { 1 }
    /// Domain-separation flag: last block of a chunk.
    @usableFromInline static var chunkEnd: UInt32 { 2 }
    /// Domain-separation flag: parent node of the tree.
    @usableFromInline static var parent: UInt32 { 4 }
    /// Domain-separation flag: root node (output) compression.
    @usableFromInline static var root: UInt32 { 8 }
    /// Domain-separation flag: keyed-hash mode.
    @usableFromInline static var keyedHashFlag: UInt32 { 16 }
    /// Domain-separation flag: hashing the context string in derive-key mode.
    @usableFromInline static var deriveKeyContext: UInt32 { 32 }
    /// Domain-separation flag: hashing the key material in derive-key mode.
    @usableFromInline static var deriveKeyMaterial: UInt32 { 64 }

    /// The BLAKE3 IV (the SHA-256 IV), used as the key of the unkeyed modes.
    @usableFromInline static var iv: Words8 {
        Words8(0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A,
               0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19)
    }

    // MARK: Public API

    /// The default 32-byte BLAKE3 hash of `bytes`, as a `Digest` (the bytes read as little-endian words).
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest {
        if bytes.count <= blockLength {
            // One partial block: the only compression is the root one.
            let m = loadPartialBlock(bytes.baseAddress, count: bytes.count)
            return compress(iv, m, counter: 0, blockLen: UInt32(truncatingIfNeeded: bytes.count),
                            flags: chunkStart | chunkEnd | root).digest
        }
        return rootOutput(bytes, key: iv, flags: 0).rootBlock(0).digest
    }

    /// The default 32-byte BLAKE3 hash of `bytes`, as a `Digest`.
    @inlinable
    public static func hash(_ bytes: [UInt8]) -> Digest {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The BLAKE3 extendable output of `bytes`: `outputLength` bytes, whose first 32 are the default hash.
    public static func hash(_ bytes: UnsafeRawBufferPointer, outputLength: Int) -> [UInt8] {
        rootOutput(bytes, key: iv, flags: 0).bytes(count: outputLength)
    }

    /// The BLAKE3 extendable output of `bytes`: `outputLength` bytes, whose first 32 are the default hash.
    public static func hash(_ bytes: [UInt8], outputLength: Int) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0, outputLength: outputLength) }
    }

    /// BLAKE3 in keyed-hash mode (a MAC / PRF) with a 32-byte `key`; returns `outputLength` bytes.
    public static func keyedHash(key: [UInt8], _ bytes: [UInt8], outputLength: Int = 32) -> [UInt8] {
        precondition(key.count == 32, "BLAKE3 keys are 32 bytes")
        let k = key.withUnsafeBytes { loadKey($0.baseAddress!) }
        return bytes.withUnsafeBytes {
            rootOutput($0, key: k, flags: keyedHashFlag).bytes(count: outputLength)
        }
    }

    /// BLAKE3 in derive-key mode: derives `outputLength` bytes of key from `material` under the
    /// application-specific `context` string (which should be a hard-coded, globally unique constant).
    public static func deriveKey(context: String, material: [UInt8], outputLength: Int = 32) -> [UInt8] {
        var context = context
        let contextKey = context.withUTF8 { utf8 in
            rootOutput(UnsafeRawBufferPointer(utf8), key: iv, flags: deriveKeyContext).rootBlock(0).low
        }
        return material.withUnsafeBytes {
            rootOutput($0, key: contextKey, flags: deriveKeyMaterial).bytes(count: outputLength)
        }
    }

    /// The BLAKE3 hash of the 64 bytes `a ‖ b` (a Merkle inner node): a single compression.
    @inlinable
    public static func mergeDigests(_ a: Digest, _ b: Digest) -> Digest {
        let m = Words16(
            lo(a.w0), hi(a.w0), lo(a.w1), hi(a.w1), lo(a.w2), hi(a.w2), lo(a.w3), hi(a.w3),
            lo(b.w0), hi(b.w0), lo(b.w1), hi(b.w1), lo(b.w2), hi(b.w2), lo(b.w3), hi(b.w3))
        return compress(iv, m, counter: 0, blockLen: 64, flags: chunkStart | chunkEnd | root).digest
    }

    /// The BLAKE3 hash of the 40 bytes `seed ‖ value` (value little-endian): a single compression.
    @inlinable
    public static func hash40(seed: Digest, value: UInt64) -> Digest {
        let m = Words16(
            lo(seed.w0), hi(seed.w0), lo(seed.w1), hi(seed.w1),
            lo(seed.w2), hi(seed.w2), lo(seed.w3), hi(seed.w3),
            lo(value), hi(value), 0, 0, 0, 0, 0, 0)
        return compress(iv, m, counter: 0, blockLen: 40, flags: chunkStart | chunkEnd | root).digest
    }

    /// The BLAKE3 hash of the 8-byte little-endian encodings of `elements` when they fit in one
    /// block (at most 8 elements): a single compression, read straight from the values.
    @inlinable
    static func hashShortElements(_ elements: UnsafeBufferPointer<Felt>) -> Digest {
        let n = elements.count
        precondition(n <= 8)
        @inline(__always) func at(_ i: Int) -> UInt64 { i < n ? elements[i].value : 0 }
        let m = Words16(
            lo(at(0)), hi(at(0)), lo(at(1)), hi(at(1)), lo(at(2)), hi(at(2)), lo(at(3)), hi(at(3)),
            lo(at(4)), hi(at(4)), lo(at(5)), hi(at(5)), lo(at(6)), hi(at(6)), lo(at(7)), hi(at(7)))
        return compress(iv, m, counter: 0, blockLen: UInt32(truncatingIfNeeded: 8 &* n),
                        flags: chunkStart | chunkEnd | root).digest
    }

    /// The BLAKE3 hash of the 8-byte little-endian encodings of 9...128 `elements` (one chunk of
    /// 72...1024 bytes): blocks are read straight from the values, zero-padded at the end.
    @usableFromInline
    static func hashChunkElements(_ elements: UnsafeBufferPointer<Felt>) -> Digest {
        let n = elements.count
        precondition(n > 8 && n <= 128)
        var cv = iv
        var flags = chunkStart
        var start = 0
        while n - start > 8 {
            let m = elements.baseAddress! + start
            let block = Words16(
                lo(m[0].value), hi(m[0].value), lo(m[1].value), hi(m[1].value),
                lo(m[2].value), hi(m[2].value), lo(m[3].value), hi(m[3].value),
                lo(m[4].value), hi(m[4].value), lo(m[5].value), hi(m[5].value),
                lo(m[6].value), hi(m[6].value), lo(m[7].value), hi(m[7].value))
            cv = compress(cv, block, counter: 0, blockLen: 64, flags: flags).low
            flags = 0
            start += 8
        }
        let rest = n - start  // 1...8
        @inline(__always) func at(_ i: Int) -> UInt64 { i < rest ? elements[start + i].value : 0 }
        let last = Words16(
            lo(at(0)), hi(at(0)), lo(at(1)), hi(at(1)), lo(at(2)), hi(at(2)), lo(at(3)), hi(at(3)),
            lo(at(4)), hi(at(4)), lo(at(5)), hi(at(5)), lo(at(6)), hi(at(6)), lo(at(7)), hi(at(7)))
        return compress(cv, last, counter: 0, blockLen: UInt32(truncatingIfNeeded: 8 &* rest),
                        flags: flags | chunkEnd | root).digest
    }

    // MARK: Word helpers

    /// The low 32 bits of `x`.
    @inlinable @inline(__always)
    static func lo(_ x: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: x) }

    /// The high 32 bits of `x`.
    @inlinable @inline(__always)
    static func hi(_ x: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: x &>> 32) }

    /// Rotates `x` right by `n` bits (0 < n < 32).
    @inlinable @inline(__always)
    static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }

    /// Reads the little-endian `UInt32` at byte offset `offset` of `p` (any alignment).
    @inlinable @inline(__always)
    static func loadWord(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Reads a full 64-byte block at `p`.
    @inlinable @inline(__always)
    static func loadBlock(_ p: UnsafeRawPointer) -> Words16 {
        Words16(loadWord(p, 0), loadWord(p, 4), loadWord(p, 8), loadWord(p, 12),
                loadWord(p, 16), loadWord(p, 20), loadWord(p, 24), loadWord(p, 28),
                loadWord(p, 32), loadWord(p, 36), loadWord(p, 40), loadWord(p, 44),
                loadWord(p, 48), loadWord(p, 52), loadWord(p, 56), loadWord(p, 60))
    }

    /// Reads `count` (0...64) bytes at `p` as a block padded with zeros; `p` may be nil when `count` is 0.
    @inlinable
    static func loadPartialBlock(_ p: UnsafeRawPointer?, count: Int) -> Words16 {
        if count == 64 { return loadBlock(p!) }
        return withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { buf in
            buf.initializeMemory(as: UInt64.self, repeating: 0)
            if count > 0 { buf.baseAddress!.copyMemory(from: p!, byteCount: count) }
            return loadBlock(UnsafeRawPointer(buf.baseAddress!))
        }
    }

    /// Reads a 32-byte key as eight little-endian words.
    @usableFromInline
    static func loadKey(_ p: UnsafeRawPointer) -> Words8 {
        Words8(loadWord(p, 0), loadWord(p, 4), loadWord(p, 8), loadWord(p, 12),
               loadWord(p, 16), loadWord(p, 20), loadWord(p, 24), loadWord(p, 28))
    }

    // MARK: Compression

    /// The quarter-round mixing function G on state words a, b, c, d with message words x, y.
    @inlinable @inline(__always)
    static func g(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32, _ d: inout UInt32,
                  _ x: UInt32, _ y: UInt32) {
        a = a &+ b &+ x
        d = rotr(d ^ a, 16)
        c = c &+ d
        b = rotr(b ^ c, 12)
        a = a &+ b &+ y
        d = rotr(d ^ a, 8)
        c = c &+ d
        b = rotr(b ^ c, 7)
    }

    /// The BLAKE3 compression function: 7 rounds over the 16-word state built from the chaining
    /// value, the IV, the counter, the block length and the flags. Returns the full 16-word output
    /// (the first 8 words are the new chaining value; all 16 are used for extended output).
    @inlinable @inline(__always)
    static func compress(_ cv: Words8, _ block: Words16, counter: UInt64, blockLen: UInt32,
                         flags: UInt32) -> Words16 {
        var v0 = cv.w0, v1 = cv.w1, v2 = cv.w2, v3 = cv.w3
        var v4 = cv.w4, v5 = cv.w5, v6 = cv.w6, v7 = cv.w7
        var v8: UInt32 = 0x6A09_E667, v9: UInt32 = 0xBB67_AE85
        var v10: UInt32 = 0x3C6E_F372, v11: UInt32 = 0xA54F_F53A
        var v12 = lo(counter), v13 = hi(counter), v14 = blockLen, v15 = flags

        var m0 = block.w0, m1 = block.w1, m2 = block.w2, m3 = block.w3
        var m4 = block.w4, m5 = block.w5, m6 = block.w6, m7 = block.w7
        var m8 = block.w8, m9 = block.w9, m10 = block.w10, m11 = block.w11
        var m12 = block.w12, m13 = block.w13, m14 = block.w14, m15 = block.w15

        @inline(__always) func round() {
            // Columns.
            g(&v0, &v4, &v8, &v12, m0, m1)
            g(&v1, &v5, &v9, &v13, m2, m3)
            g(&v2, &v6, &v10, &v14, m4, m5)
            g(&v3, &v7, &v11, &v15, m6, m7)
            // Diagonals.
            g(&v0, &v5, &v10, &v15, m8, m9)
            g(&v1, &v6, &v11, &v12, m10, m11)
            g(&v2, &v7, &v8, &v13, m12, m13)
            g(&v3, &v4, &v9, &v14, m14, m15)
        }
        @inline(__always) func permute() {
            // m'[i] = m[P[i]] with P = 2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8
            // (a renaming of locals that the optimiser resolves at compile time).
            (m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15) =
                (m2, m6, m3, m10, m7, m0, m4, m13, m1, m11, m12, m5, m9, m14, m15, m8)
        }

        round(); permute()
        round(); permute()
        round(); permute()
        round(); permute()
        round(); permute()
        round(); permute()
        round()

        return Words16(
            v0 ^ v8, v1 ^ v9, v2 ^ v10, v3 ^ v11, v4 ^ v12, v5 ^ v13, v6 ^ v14, v7 ^ v15,
            v8 ^ cv.w0, v9 ^ cv.w1, v10 ^ cv.w2, v11 ^ cv.w3,
            v12 ^ cv.w4, v13 ^ cv.w5, v14 ^ cv.w6, v15 ^ cv.w7)
    }

    // MARK: Tree

    /// A node whose final compression has not been done yet: compressing it gives a chaining value,
    /// or, with the ROOT flag and output-block counters 0, 1, 2, …, the extended output.
    @frozen @usableFromInline
    struct Output {
        @usableFromInline var cv: Words8
        @usableFromInline var block: Words16
        @usableFromInline var counter: UInt64
        @usableFromInline var blockLen: UInt32
        @usableFromInline var flags: UInt32

        @inlinable @inline(__always)
        init(cv: Words8, block: Words16, counter: UInt64, blockLen: UInt32, flags: UInt32) {
            self.cv = cv; self.block = block; self.counter = counter
            self.blockLen = blockLen; self.flags = flags
        }

        /// The chaining value of this (non-root) node.
        @usableFromInline
        var chainingValue: Words8 {
            compress(cv, block, counter: counter, blockLen: blockLen, flags: flags).low
        }

        /// The 64-byte output block number `index` of this node as the root.
        @usableFromInline
        func rootBlock(_ index: UInt64) -> Words16 {
            compress(cv, block, counter: index, blockLen: blockLen, flags: flags | root)
        }

        /// The first `count` bytes of the extended output of this node as the root.
        @usableFromInline
        func bytes(count: Int) -> [UInt8] {
            precondition(count >= 0, "negative output length")
            return [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
                var offset = 0
                var index: UInt64 = 0
                while offset < count {
                    let words = rootBlock(index)
                    let take = Swift.min(64, count - offset)
                    words.store(into: buf.baseAddress! + offset, count: take)
                    offset += take
                    index += 1
                }
                initialized = count
            }
        }
    }

    /// The pending output of one chunk of 0...1024 bytes (0 only for the empty message) at
    /// `chunkCounter`: all blocks but the last are compressed into the chaining value.
    @usableFromInline
    static func chunkOutput(_ p: UnsafeRawPointer?, count: Int, key: Words8, chunkCounter: UInt64,
                            flags: UInt32) -> Output {
        var cv = key
        var offset = 0
        var blockFlags = flags | chunkStart
        while count - offset > blockLength {
            let m = loadBlock(p! + offset)
            cv = compress(cv, m, counter: chunkCounter, blockLen: 64, flags: blockFlags).low
            blockFlags = flags
            offset += blockLength
        }
        let rest = count - offset
        let m = loadPartialBlock(rest > 0 ? p! + offset : nil, count: rest)
        return Output(cv: cv, block: m, counter: chunkCounter, blockLen: UInt32(truncatingIfNeeded: rest),
                      flags: blockFlags | chunkEnd)
    }

    /// The pending output of the parent node of two chaining values.
    @usableFromInline
    static func parentOutput(_ left: Words8, _ right: Words8, key: Words8, flags: UInt32) -> Output {
        let m = Words16(left.w0, left.w1, left.w2, left.w3, left.w4, left.w5, left.w6, left.w7,
                        right.w0, right.w1, right.w2, right.w3, right.w4, right.w5, right.w6, right.w7)
        return Output(cv: key, block: m, counter: 0, blockLen: 64, flags: flags | parent)
    }

    /// Bytes in the left subtree of an input of `count` > 1024 bytes: the largest power-of-two
    /// number of whole chunks that leaves at least one byte for the right subtree.
    @usableFromInline
    static func leftLength(_ count: Int) -> Int {
        let fullChunks = UInt64(count - 1) / UInt64(chunkLength)  // ≥ 1
        let leftChunks = UInt64(1) << (63 - fullChunks.leadingZeroBitCount)
        return Int(leftChunks) * chunkLength
    }

    /// The chaining value of the (non-root) subtree over `count` ≥ 1 bytes starting at chunk `chunkCounter`.
    @usableFromInline
    static func subtreeCV(_ p: UnsafeRawPointer, count: Int, key: Words8, chunkCounter: UInt64,
                          flags: UInt32) -> Words8 {
        if count <= chunkLength {
            return chunkOutput(p, count: count, key: key, chunkCounter: chunkCounter, flags: flags)
                .chainingValue
        }
        let leftLen = leftLength(count)
        let left = subtreeCV(p, count: leftLen, key: key, chunkCounter: chunkCounter, flags: flags)
        let right = subtreeCV(p + leftLen, count: count - leftLen, key: key,
                              chunkCounter: chunkCounter + UInt64(leftLen / chunkLength), flags: flags)
        return parentOutput(left, right, key: key, flags: flags).chainingValue
    }

    /// The pending root output of the whole tree over `bytes` (any length).
    @usableFromInline
    static func rootOutput(_ bytes: UnsafeRawBufferPointer, key: Words8, flags: UInt32) -> Output {
        let count = bytes.count
        if count <= chunkLength {
            return chunkOutput(bytes.baseAddress, count: count, key: key, chunkCounter: 0, flags: flags)
        }
        let p = bytes.baseAddress!
        let leftLen = leftLength(count)
        let left = subtreeCV(p, count: leftLen, key: key, chunkCounter: 0, flags: flags)
        let right = subtreeCV(p + leftLen, count: count - leftLen, key: key,
                              chunkCounter: UInt64(leftLen / chunkLength), flags: flags)
        return parentOutput(left, right, key: key, flags: flags)
    }
}

extension Blake3 {
    /// Eight 32-bit words: a chaining value or key.
    @frozen @usableFromInline
    struct Words8: Sendable {
        @usableFromInline var w0, w1, w2, w3, w4, w5, w6, w7: UInt32

        @inlinable @inline(__always)
        init(_ w0: UInt32, _ w1: UInt32, _ w2: UInt32, _ w3: UInt32,
             _ w4: UInt32, _ w5: UInt32, _ w6: UInt32, _ w7: UInt32) {
            self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
            self.w4 = w4; self.w5 = w5; self.w6 = w6; self.w7 = w7
        }
    }

    /// Sixteen 32-bit words: a message block or a full compression output.
    @frozen @usableFromInline
    struct Words16: Sendable {
        @usableFromInline var w0, w1, w2, w3, w4, w5, w6, w7: UInt32
        @usableFromInline var w8, w9, w10, w11, w12, w13, w14, w15: UInt32

        @inlinable @inline(__always)
        init(_ w0: UInt32, _ w1: UInt32, _ w2: UInt32, _ w3: UInt32,
             _ w4: UInt32, _ w5: UInt32, _ w6: UInt32, _ w7: UInt32,
             _ w8: UInt32, _ w9: UInt32, _ w10: UInt32, _ w11: UInt32,
             _ w12: UInt32, _ w13: UInt32, _ w14: UInt32, _ w15: UInt32) {
            self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
            self.w4 = w4; self.w5 = w5; self.w6 = w6; self.w7 = w7
            self.w8 = w8; self.w9 = w9; self.w10 = w10; self.w11 = w11
            self.w12 = w12; self.w13 = w13; self.w14 = w14; self.w15 = w15
        }

        /// The first eight words (the chaining value of a compression output).
        @inlinable @inline(__always)
        var low: Words8 { Words8(w0, w1, w2, w3, w4, w5, w6, w7) }

        /// The first 32 bytes as a `Digest` (little-endian words).
        @inlinable @inline(__always)
        var digest: Digest {
            Digest(UInt64(w0) | UInt64(w1) &<< 32, UInt64(w2) | UInt64(w3) &<< 32,
                   UInt64(w4) | UInt64(w5) &<< 32, UInt64(w6) | UInt64(w7) &<< 32)
        }

        /// Writes the first `count` (0...64) bytes of the little-endian encoding to `p`.
        @usableFromInline
        func store(into p: UnsafeMutableRawPointer, count: Int) {
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { t in
                t[0] = w0.littleEndian; t[1] = w1.littleEndian; t[2] = w2.littleEndian
                t[3] = w3.littleEndian; t[4] = w4.littleEndian; t[5] = w5.littleEndian
                t[6] = w6.littleEndian; t[7] = w7.littleEndian; t[8] = w8.littleEndian
                t[9] = w9.littleEndian; t[10] = w10.littleEndian; t[11] = w11.littleEndian
                t[12] = w12.littleEndian; t[13] = w13.littleEndian; t[14] = w14.littleEndian
                t[15] = w15.littleEndian
                p.copyMemory(from: UnsafeRawPointer(t.baseAddress!), byteCount: count)
            }
        }
    }
}
