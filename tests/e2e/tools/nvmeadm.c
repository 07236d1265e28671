/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * nvmeadm: the two NVMe admin commands dom0 needs to give an SR-IOV
 * virtual function of QEMU's NVMe its resources (NVMe 1.4 and later,
 * Virtualization Enhancements), through the kernel's admin passthrough.
 *
 *   nvmeadm /dev/nvmeN virt-mgmt CNTLID RT ACT NR
 *       Virtualization Management (opcode 0x1c): CDW10 = ACT | RT << 8 |
 *       CNTLID << 16, CDW11 = NR.  RT 0: VQ resources, 1: VI resources;
 *       ACT 1: primary flexible allocation, 7: secondary offline,
 *       8: secondary assign, 9: secondary online.
 *   nvmeadm /dev/nvmeN secondary
 *       Identify, CNS 0x15 (Secondary Controller List): one line per
 *       entry, "scid=N pcid=N scs=N vfn=N nvq=N nvi=N".
 *
 * Prints the command's completion ("status=0x0 result=0x...") on stderr.
 * Exit status 0 when the controller completed the command successfully.
 * Built static on the host (gcc -static -O2) so it runs in any initramfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int usage(void)
{
    fprintf(stderr, "usage: nvmeadm /dev/nvmeN virt-mgmt CNTLID RT ACT NR\n"
                    "       nvmeadm /dev/nvmeN secondary\n");
    return 2;
}

static int admin(int fd, struct nvme_admin_cmd *c)
{
    int rc = ioctl(fd, NVME_IOCTL_ADMIN_CMD, c);

    if (rc < 0) {
        fprintf(stderr, "nvmeadm: ioctl: %s\n", strerror(errno));
        return 1;
    }
    fprintf(stderr, "nvmeadm: opcode=0x%02x status=0x%x result=0x%x\n",
            c->opcode, rc, c->result);
    return rc != 0;
}

/* A number in C notation up to @max, the whole argument; else *bad. */
static unsigned long num(const char *s, unsigned long max, int *bad)
{
    long v = -1;
    char tail;

    if (sscanf(s, "%li%c", &v, &tail) != 1 || v < 0 ||
        (unsigned long)v > max) {
        *bad = 1;
        return 0;
    }
    return v;
}

static int virt_mgmt(int fd, char **a)
{
    int bad = 0;
    unsigned long cntlid = num(a[0], 0xffff, &bad), rt = num(a[1], 7, &bad);
    unsigned long act = num(a[2], 0xf, &bad), nr = num(a[3], 0xffff, &bad);
    struct nvme_admin_cmd c = {
        .opcode = 0x1c,
        .cdw10 = act | rt << 8 | cntlid << 16,
        .cdw11 = nr,
    };

    return bad ? usage() : admin(fd, &c);
}

static unsigned le16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static int secondary(int fd)
{
    static uint8_t buf[4096];
    struct nvme_admin_cmd c = {
        .opcode = 0x06,
        .addr = (uintptr_t)buf,
        .data_len = sizeof(buf),
        .cdw10 = 0x15,
    };
    unsigned i, n;

    if (admin(fd, &c)) {
        return 1;
    }
    n = buf[0] < 127 ? buf[0] : 127;
    for (i = 0; i < n; i++) {
        const uint8_t *e = buf + 32 + 32 * i;

        printf("scid=%u pcid=%u scs=%u vfn=%u nvq=%u nvi=%u\n", le16(e),
               le16(e + 2), e[4], le16(e + 8), le16(e + 10), le16(e + 12));
    }
    return 0;
}

int main(int argc, char **argv)
{
    int fd, rc;

    if (argc < 3) {
        return usage();
    }
    fd = open(argv[1], O_RDWR);
    if (fd < 0) {
        fprintf(stderr, "nvmeadm: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    if (!strcmp(argv[2], "virt-mgmt") && argc == 7) {
        rc = virt_mgmt(fd, argv + 3);
    } else if (!strcmp(argv[2], "secondary") && argc == 3) {
        rc = secondary(fd);
    } else {
        rc = usage();
    }
    close(fd);
    return rc;
}
