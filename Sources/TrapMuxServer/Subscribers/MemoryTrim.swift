#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// Hands free heap memory back to the system (glibc's `malloc_trim`).
///
/// After a subscriber's queue drained from tens of MiB, glibc keeps the freed chunks, so RSS stayed at its
/// peak. The Glibc module does not export `<malloc.h>`, so the function is looked up at run time; on a C
/// library without it this does nothing.
package enum MemoryTrim {
    private typealias TrimFunction = @convention(c) (Int) -> Int32

    /// Returns free memory at the top of the heap and in arenas to the system.
    package static func releaseFreeMemory() {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: TrimFunction.self)(0)
        #endif
    }
}
