/* A stand-in for Windows' bcryptprimitives.dll, for running Ferry under Wine 8 only.
 *
 * Rust's standard library (1.78 and later) draws its random bytes from ProcessPrng in
 * bcryptprimitives.dll, which every Windows 10 and 11 has and Wine 8 does not: without it
 * ferry.exe does not start. This one forwards to RtlGenRandom (advapi32's SystemFunction036),
 * which Wine implements from the host's /dev/urandom. .ci/windows.sh builds it with mingw and
 * puts it in the throwaway Wine prefix's system32; it is never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
