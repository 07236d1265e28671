/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * barwrite: time writes of BYTES bytes through a memory BAR's mapping.
 *
 *   barwrite BDF BAR BYTES
 *
 * Maps the start of BAR (0-5) of BDF ("0000:00:08.1") through its sysfs
 * resource file (resourceN: no /dev/mem, whose read and write stop at the
 * end of RAM) and writes BYTES bytes of a pattern into it in 4 KiB blocks
 * of 8-byte stores, once to warm up and once timed, then reads the last
 * block back.  Prints:
 *
 *   barwrite: dev=... bar=2 bytes=16777216 seconds=0.123456 readback=ok
 *
 * The function's memory decoding must be on (sysfs "enable").  Exit
 * status 0 when the pattern read back is right, 1 otherwise.  Built static
 * on the host (gcc -static -O2) so it runs in any initramfs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* @p maps the BAR: volatile, so that every store reaches it */
static void fill(volatile uint64_t *p, size_t bytes, uint64_t tag) /* MMIO */
{
    size_t i;

    for (i = 0; i < bytes / 8; i++) {
        p[i] = tag ^ i;
    }
}

int main(int argc, char **argv)
{
    char path[512];
    volatile uint64_t *p;           /* the BAR's mapping (MMIO) */
    size_t bytes, i, last;
    double t0, secs;
    int fd, bar, bad = 0;

    if (argc != 4 || sscanf(argv[2], "%d", &bar) != 1 || bar < 0 ||
        bar > 5 || sscanf(argv[3], "%zi", &bytes) != 1 || !bytes ||
        bytes % 4096) {
        fprintf(stderr, "usage: barwrite BDF BAR(0-5) BYTES(4 KiB multiple)\n");
        return 2;
    }
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d",
             argv[1], bar);
    fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    fill(p, bytes, 0x7870000000000000ull);
    t0 = now_s();
    fill(p, bytes, 0x7871000000000000ull);
    secs = now_s() - t0;
    last = (bytes - 4096) / 8;
    for (i = last; i < bytes / 8; i++) {
        bad |= p[i] != (0x7871000000000000ull ^ i);
    }
    printf("barwrite: dev=%s bar=%d bytes=%zu seconds=%.6f readback=%s\n",
           argv[1], bar, bytes, secs, bad ? "wrong" : "ok");
    munmap((void *)p, bytes);
    close(fd);
    return bad;
}
