/* hold-open FILE SECONDS: opens FILE with no sharing at all (as Excel holds a workbook) and
 * keeps it open for SECONDS, then exits. .ci/windows.sh runs it under Wine next to a ferry.exe
 * download onto FILE: the rename into place meets a sharing violation, as it would on Windows.
 * Prints "holding" once the file is open, so the caller knows when to start. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc != 3) {
        fputs("usage: hold-open FILE SECONDS\n", stderr);
        return 2;
    }
    HANDLE file = CreateFileW(argv[1], GENERIC_READ, 0 /* no sharing */, NULL, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "hold-open: cannot open: error %lu\n", GetLastError());
        return 1;
    }
    puts("holding");
    fflush(stdout);
    Sleep((DWORD)(_wtoi(argv[2]) * 1000));
    CloseHandle(file);
    return 0;
}
