/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * cfgread: time N reads of a PCI config-space word through sysfs.
 *
 *   cfgread BDF [COUNT [OFFSET [SIZE]]]
 *
 * BDF is "0000:00:03.0" (or a path to a sysfs config file).  Every read is
 * a pread() of SIZE (1, 2 or 4) bytes at OFFSET of the function's sysfs
 * config file, i.e. one config access through the kernel's PCI ops
 * (pcifront in a PV domU, CF8/CFC or ECAM in an HVM guest).  Prints:
 *
 *   cfgread: dev=... off=0x0 size=2 reads=2000 value=0x8086 changed=0
 *            errors=0 elapsed_us=... per_read_ns=... start_us=... end_us=...
 *
 * start_us and end_us are the wall clock (CLOCK_REALTIME, microseconds)
 * around the loop: PV domains share Xen's wall clock, so loops of several
 * guests can be laid side by side.
 *
 * Exit status 0 when every read returned SIZE bytes, 1 otherwise.
 * Built static on the host (gcc -static -O2) so it runs in any initramfs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A number in C notation, or @def when absent. */
static long long wall_us(const struct timespec *t)
{
    return t->tv_sec * 1000000LL + t->tv_nsec / 1000;
}

static long arg_num(int argc, char **argv, int i, long def)
{
    long v;

    if (argc <= i) {
        return def;
    }
    return sscanf(argv[i], "%li", &v) == 1 ? v : -1;
}

int main(int argc, char **argv)
{
    char path[512];
    long count, off, size, i, errors = 0, changed = 0;
    int fd;
    uint32_t first = 0, v;
    struct timespec t0, t1, w0, w1;
    long long ns;

    if (argc < 2) {
        fprintf(stderr, "usage: %s BDF [COUNT [OFFSET [SIZE]]]\n", argv[0]);
        return 2;
    }
    if (argv[1][0] == '/') {
        snprintf(path, sizeof(path), "%s", argv[1]);
    } else {
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config",
                 argv[1]);
    }
    count = arg_num(argc, argv, 2, 2000);
    off = arg_num(argc, argv, 3, 0);
    size = arg_num(argc, argv, 4, 2);
    if (count < 1 || off < 0 || (size != 1 && size != 2 && size != 4)) {
        fprintf(stderr, "cfgread: bad arguments\n");
        return 2;
    }
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    clock_gettime(CLOCK_REALTIME, &w0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < count; i++) {
        v = 0;
        if (pread(fd, &v, size, off) != size) {
            errors++;
            continue;
        }
        if (i == 0) {
            first = v;
        } else if (v != first) {
            changed++;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_REALTIME, &w1);
    close(fd);
    ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    printf("cfgread: dev=%s off=0x%lx size=%ld reads=%ld value=0x%0*x "
           "changed=%ld errors=%ld elapsed_us=%lld per_read_ns=%lld "
           "start_us=%lld end_us=%lld\n",
           argv[1], off, size, count, (int)size * 2, first, changed, errors,
           ns / 1000, ns / count, wall_us(&w0), wall_us(&w1));
    return errors ? 1 : 0;
}
