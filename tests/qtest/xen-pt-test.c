/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for xen-pci-passthrough: fake host functions (sysfs trees built
 * from the real config-space dumps in tests/fixtures/pci), a pc machine
 * under the qtest accelerator, the guest's real config path (CF8/CFC) and
 * MMIO.  Off Xen the device records its hypercalls; the tests assert on
 * that log, on the fake host's files, and on what the guest reads.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"
#include "qobject/qjson.h"

#define SLOT 4
#define HOSTADDR "0000:03:00.0"

typedef struct Fake {
    char *root;          /* the fake /sys/bus/pci/devices */
    char *dir;           /* root/0000:03:00.0 */
    char *config;        /* its config file */
    GByteArray *orig;    /* the config file as created */
} Fake;

typedef struct Pt {
    Fake fake;
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
} Pt;

static const char *fixtures(void)
{
    static char *dir;

    if (!dir) {
        const char *env = g_getenv("XPT_FIXTURES");
        g_autofree char *src = g_path_get_dirname(__FILE__);

        dir = env ? g_strdup(env)
                  : g_build_filename(src, "..", "fixtures", "pci", NULL);
    }
    return dir;
}

static void fake_copy(const char *name, const char *file, const char *dst)
{
    g_autofree char *src = g_build_filename(fixtures(), name, file, NULL);
    g_autofree char *to = g_build_filename(dst, file, NULL);
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(src, &data, &len, NULL));
    g_assert_true(g_file_set_contents(to, data, len, NULL));
}

/* One sysfs resourceN file per BAR, sized like the BAR, filled by @fill. */
static void fake_resources(Fake *f, uint8_t fill)
{
    g_autofree char *res = NULL;
    g_autofree char *path = g_build_filename(f->dir, "resource", NULL);
    g_auto(GStrv) lines = NULL;
    int i;

    g_assert_true(g_file_get_contents(path, &res, NULL, NULL));
    lines = g_strsplit(res, "\n", -1);
    for (i = 0; i < 6 && lines[i]; i++) {
        uint64_t start, end, flags;
        g_autofree char *file = g_strdup_printf("%s/resource%d", f->dir, i);
        g_autofree uint8_t *buf = NULL;

        if (sscanf(lines[i], "%" SCNx64 " %" SCNx64 " %" SCNx64, &start,
                   &end, &flags) != 3 || !flags) {
            continue;
        }
        buf = g_malloc(end - start + 1);
        memset(buf, fill, end - start + 1);
        g_assert_true(g_file_set_contents(file, (char *)buf, end - start + 1,
                                          NULL));
    }
}

/*
 * The fake function's driver link, as sysfs has it (a relative link to
 * the driver's directory, here the fake root's drivers/@driver, made if
 * missing); NULL: bound to none.
 */
static void fake_set_driver(Fake *f, const char *driver)
{
    g_autofree char *link = g_build_filename(f->dir, "driver", NULL);
    g_autofree char *target = NULL;
    g_autofree char *dir = NULL;

    unlink(link);
    if (driver) {
        dir = g_build_filename(f->root, "drivers", driver, NULL);
        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        target = g_strdup_printf("../drivers/%s", driver);
        g_assert_cmpint(symlink(target, link), ==, 0);
    }
}

/* A file of the fake dom0's pciback driver directory, as Linux writes it. */
static void fake_pciback(Fake *f, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(f->root, "drivers", "pciback",
                                             name, NULL);

    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

/* A function in dom0 as xl pci-assignable-add leaves it: pciback's. */
static void fake_create(Fake *f, const char *name)
{
    g_autofree char *data = NULL;
    gsize len;

    f->root = g_dir_make_tmp("xen-pt-XXXXXX", NULL);
    g_assert_nonnull(f->root);
    f->dir = g_build_filename(f->root, HOSTADDR, NULL);
    g_assert_cmpint(mkdir(f->dir, 0755), ==, 0);
    fake_copy(name, "config", f->dir);
    fake_copy(name, "resource", f->dir);
    f->config = g_build_filename(f->dir, "config", NULL);
    g_assert_true(g_file_get_contents(f->config, &data, &len, NULL));
    f->orig = g_byte_array_new_take((guint8 *)g_steal_pointer(&data), len);
    {
        g_autofree char *irq = g_build_filename(f->dir, "irq", NULL);
        g_autofree char *reset = g_build_filename(f->dir, "reset", NULL);

        g_assert_true(g_file_set_contents(irq, "11\n", -1, NULL));
        g_assert_true(g_file_set_contents(reset, "", 0, NULL));
    }
    fake_resources(f, 0);
    fake_set_driver(f, "pciback");
}

static void rm_tree(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *e;

    while (d && (e = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(path, e, NULL);

        if (g_file_test(p, G_FILE_TEST_IS_DIR) &&
            !g_file_test(p, G_FILE_TEST_IS_SYMLINK)) {
            rm_tree(p);
        } else {
            unlink(p);
        }
    }
    rmdir(path);
}

static void fake_destroy(Fake *f)
{
    rm_tree(f->root);
    g_free(f->root);
    g_free(f->dir);
    g_free(f->config);
    g_byte_array_unref(f->orig);
}

/* A value of the fake host's config file. */
static uint32_t host_cfg(Fake *f, unsigned off, unsigned size)
{
    g_autofree char *data = NULL;
    uint8_t buf[4] = { 0 };

    g_assert_true(g_file_get_contents(f->config, &data, NULL, NULL));
    memcpy(buf, data + off, size);
    return ldl_le_p(buf);
}

static char *fake_file(Fake *f, const char *name)
{
    g_autofree char *p = g_build_filename(f->dir, name, NULL);
    char *data = NULL;

    g_assert_true(g_file_get_contents(p, &data, NULL, NULL));
    return data;
}

/* Start QEMU with the device on a fake host function already created. */
static void pt_launch(Pt *pt, const char *extra)
{
    pt->qts = qtest_initf("-machine pc -nodefaults -device "
                          "xen-pci-passthrough,id=pt0,hostaddr=" HOSTADDR
                          ",x-sysfs-root=%s,addr=%d.0%s", pt->fake.root,
                          SLOT, extra ? extra : "");
    pt->bus = qpci_new_pc(pt->qts, NULL);
    pt->dev = qpci_device_find(pt->bus, QPCI_DEVFN(SLOT, 0));
    g_assert_nonnull(pt->dev);
}

static void pt_start(Pt *pt, const char *fixture, const char *extra)
{
    fake_create(&pt->fake, fixture);
    pt_launch(pt, extra);
}

static void pt_stop(Pt *pt)
{
    g_free(pt->dev);
    qpci_free_pc(pt->bus);
    qtest_quit(pt->qts);
    fake_destroy(&pt->fake);
}

static char *qom_get_str(QTestState *qts, const char *prop)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/peripheral/pt0', "
                           "'property': %s}}", prop);
    char *s;

    g_assert_true(qdict_haskey(rsp, "return"));
    s = g_strdup(qdict_get_str(rsp, "return"));
    qobject_unref(rsp);
    return s;
}

static int64_t qom_get_int(QTestState *qts, const char *prop)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/peripheral/pt0', "
                           "'property': %s}}", prop);
    int64_t v;

    g_assert_true(qdict_haskey(rsp, "return"));
    v = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return v;
}

static void qom_set_bool(QTestState *qts, const char *prop, bool v)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'qom-set', 'arguments': "
                           "{'path': '/machine/peripheral/pt0', "
                           "'property': %s, 'value': %i}}", prop, v);

    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

/* The hypercall log since the last call. */
static char *hv_log_new(Pt *pt, size_t *seen)
{
    g_autofree char *all = qom_get_str(pt->qts, "x-hypercall-log");
    char *fresh = g_strdup(all + MIN(*seen, strlen(all)));

    *seen = strlen(all);
    return fresh;
}

static void assert_has(const char *log, const char *needle)
{
    if (!strstr(log, needle)) {
        g_error("'%s' not in the hypercall log:\n%s", needle, log);
    }
}

/*
 * device_add of a xen-pci-passthrough @id for @hostaddr under the fake
 * sysfs @root, with the quirk list @quirks if not NULL; the QMP reply.
 */
static QDict *pt_device_add(QTestState *qts, const char *id,
                            const char *hostaddr, const char *root,
                            const char *quirks)
{
    QDict *args = qdict_new();

    qdict_put_str(args, "driver", "xen-pci-passthrough");
    qdict_put_str(args, "id", id);
    qdict_put_str(args, "hostaddr", hostaddr);
    qdict_put_str(args, "x-sysfs-root", root);
    if (quirks) {
        qdict_put_str(args, "quirks", quirks);
    }
    return qtest_qmp(qts, "{'execute': 'device_add', 'arguments': %p}",
                     args);
}

/* ---- tests ---- */

/* IDs through CF8/CFC, BAR sizing, decode stays on the host (XSA-120). */
static void test_config(void)
{
    Pt pt = { 0 };
    uint32_t host_cmd;
    int64_t denied;

    pt_start(&pt, "e1000e", NULL);
    g_assert_cmphex(qpci_config_readw(pt.dev, PCI_VENDOR_ID), ==, 0x8086);
    g_assert_cmphex(qpci_config_readw(pt.dev, PCI_DEVICE_ID), ==, 0x10d3);
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_0, 0xffffffff);
    g_assert_cmphex(qpci_config_readl(pt.dev, PCI_BASE_ADDRESS_0), ==,
                    0xfffe0000);
    host_cmd = host_cfg(&pt.fake, PCI_COMMAND, 2);
    qpci_config_writew(pt.dev, PCI_COMMAND, 0);
    g_assert_cmphex(qpci_config_readw(pt.dev, PCI_COMMAND) & 7, ==, 0);
    g_assert_cmphex(host_cfg(&pt.fake, PCI_COMMAND, 2) & 3, ==,
                    host_cmd & 3);
    /* Writes to unlisted registers never reach the host (XSA-131). */
    denied = qom_get_int(pt.qts, "denied-writes");
    qpci_config_writel(pt.dev, 0x40, 0x12345678);
    g_assert_cmphex(host_cfg(&pt.fake, 0x40, 4), ==,
                    ldl_le_p(pt.fake.orig->data + 0x40));
    /* One run of unlisted bytes: one dropped decision. */
    g_assert_cmpint(qom_get_int(pt.qts, "denied-writes"), ==, denied + 1);
    /* permissive at run time opens them. */
    qom_set_bool(pt.qts, "permissive", true);
    qpci_config_writel(pt.dev, 0x40, 0x12345678);
    g_assert_cmphex(host_cfg(&pt.fake, 0x40, 4), ==, 0x12345678);
    pt_stop(&pt);
}

static QDict *qom_set_str(QTestState *qts, const char *prop, const char *v)
{
    return qtest_qmp(qts, "{'execute': 'qom-set', 'arguments': "
                     "{'path': '/machine/peripheral/pt0', "
                     "'property': %s, 'value': %s}}", prop, v);
}

/* Quirks at run time: added, replaced as a whole, a bad list refused. */
static void test_quirks(void)
{
    Pt pt = { 0 };
    QDict *rsp;
    g_autofree char *q = NULL;

    pt_start(&pt, "e1000e", NULL);
    qpci_config_writel(pt.dev, 0x40, 0x11111111);
    g_assert_cmphex(host_cfg(&pt.fake, 0x40, 4), !=, 0x11111111);
    rsp = qom_set_str(pt.qts, "quirks", "40:4:0000ffff");
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qpci_config_writel(pt.dev, 0x40, 0x11111111);
    g_assert_cmphex(host_cfg(&pt.fake, 0x40, 2), ==, 0x1111);
    g_assert_cmphex(host_cfg(&pt.fake, 0x42, 2), ==,
                    lduw_le_p(pt.fake.orig->data + 0x42));
    /* Overlapping the command register: refused, the old list stays. */
    rsp = qom_set_str(pt.qts, "quirks", "44:4:ffffffff,04:2:ffff");
    g_assert_nonnull(qdict_get_qdict(rsp, "error"));
    qobject_unref(rsp);
    q = qom_get_str(pt.qts, "quirks");
    g_assert_cmpstr(q, ==, "40:4:0000ffff");
    qpci_config_writel(pt.dev, 0x44, 0x22222222);
    g_assert_cmphex(host_cfg(&pt.fake, 0x44, 4), ==,
                    ldl_le_p(pt.fake.orig->data + 0x44));
    qpci_config_writel(pt.dev, 0x40, 0x33333333);
    g_assert_cmphex(host_cfg(&pt.fake, 0x40, 2), ==, 0x3333);
    pt_stop(&pt);
}

/*
 * dom0's pciback settings for the function, as xl (permissive=1) and
 * administrators write them before the guest starts, are its initial
 * policy: in effect from the guest's first access, shown by "policy"
 * with their source; a property given on the device wins over them.  The
 * files are in Linux's forms (drivers/xen/xen-pciback/pci_stub.c): a
 * function per line; per function, its identity and every field pciback
 * handles, its own with mask 0 (tests/func/test-xen-pci-pciback.c).
 */
#define PCIBACK_QUIRKS_E1000E \
    "00:04.0\n\t1234:11e8:1af4:1100\n" \
    "\t\t00000000:2:00000000\n\t\t00000048:4:ffffffff\n" \
    "03:00.0\n\t8086:10d3:8086:0000\n" \
    "\t\t00000000:2:00000000\n\t\t00000004:2:00000000\n" \
    "\t\t00000040:4:0000ffff\n"

static void test_pciback_policy(void)
{
    Pt pt = { 0 };
    g_autofree char *pol = NULL;

    fake_create(&pt.fake, "e1000e");
    fake_pciback(&pt.fake, "permissive", "0000:00:04.0\n0000:03:00.0\n");
    fake_pciback(&pt.fake, "allow_interrupt_control", "0000:00:04.0\n");
    fake_pciback(&pt.fake, "quirks", PCIBACK_QUIRKS_E1000E);
    pt_launch(&pt, NULL);
    pol = qom_get_str(pt.qts, "policy");
    g_assert_cmpstr(pol, ==, "permissive=on allow-interrupt-control=on "
                    "quirks=0x40:4:0xffff (from pciback: permissive "
                    "quirks)");
    /* permissive: an unlisted register reaches the host, first write */
    qpci_config_writel(pt.dev, 0x4c, 0x12345678);
    g_assert_cmphex(host_cfg(&pt.fake, 0x4c, 4), ==, 0x12345678);
    /* the quirk's mask: the low half only (the edu's quirk not taken) */
    qpci_config_writel(pt.dev, 0x40, 0x11111111);
    g_assert_cmphex(host_cfg(&pt.fake, 0x40, 4), ==,
                    (ldl_le_p(pt.fake.orig->data + 0x40) & 0xffff0000) |
                    0x1111);
    pt_stop(&pt);

    /* properties on the device win: permissive off, its own quirks */
    fake_create(&pt.fake, "e1000e");
    fake_pciback(&pt.fake, "permissive", "0000:03:00.0\n");
    fake_pciback(&pt.fake, "quirks", PCIBACK_QUIRKS_E1000E);
    pt_launch(&pt, ",permissive=off,quirks=48:4:ffffffff");
    g_free(pol);
    pol = qom_get_str(pt.qts, "policy");
    g_assert_cmpstr(pol, ==, "permissive=off allow-interrupt-control=on "
                    "quirks=48:4:ffffffff");
    qpci_config_writel(pt.dev, 0x4c, 0x12345678);
    g_assert_cmphex(host_cfg(&pt.fake, 0x4c, 4), ==,
                    ldl_le_p(pt.fake.orig->data + 0x4c));
    qpci_config_writel(pt.dev, 0x40, 0x11111111);
    g_assert_cmphex(host_cfg(&pt.fake, 0x40, 4), ==,
                    ldl_le_p(pt.fake.orig->data + 0x40));
    qpci_config_writel(pt.dev, 0x48, 0x22222222);
    g_assert_cmphex(host_cfg(&pt.fake, 0x48, 4), ==, 0x22222222);
    pt_stop(&pt);
}

/*
 * A pciback file in another form is host input gone wrong: device_add
 * fails naming the file and the line, before anything touched the
 * function (config as found, not claimed: it is taken once fixed).
 */
static void test_pciback_policy_malformed(void)
{
    Fake f = { 0 };
    QTestState *qts = qtest_init("-machine pc -nodefaults");
    QDict *rsp;
    g_autofree char *cfg = NULL;
    g_autofree char *reset = NULL;
    gsize len;

    fake_create(&f, "e1000e");
    fake_pciback(&f, "permissive", "0000:03:00.0\nbogus\n");
    rsp = pt_device_add(qts, "pt0", HOSTADDR, f.root, NULL);
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"), ==,
                    HOSTADDR ": pciback's permissive, line 2 ('bogus'): not "
                    "a PCI address");
    qobject_unref(rsp);
    reset = fake_file(&f, "reset");
    g_assert_cmpstr(reset, ==, "");
    g_assert_true(g_file_get_contents(f.config, &cfg, &len, NULL));
    g_assert_cmpmem(cfg, len, f.orig->data, f.orig->len);
    fake_pciback(&f, "permissive", "0000:03:00.0\n");
    rsp = pt_device_add(qts, "pt0", HOSTADDR, f.root, NULL);
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_quit(qts);
    fake_destroy(&f);
}

/* BAR placement and decode drive map/unmap hypercalls. */
static void test_bars(void)
{
    Pt pt = { 0 };
    size_t seen = 0;
    g_autofree char *log = NULL;

    pt_start(&pt, "e1000", NULL);
    g_free(hv_log_new(&pt, &seen));
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_0, 0xe0000000);
    qpci_config_writew(pt.dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "map_mmio gfn=0xe0000 mfn=0xc0040 nr=32");
    g_free(log);
    /* Move while decoding: unmap the old place, map the new. */
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_0, 0xe0100000);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "unmap_mmio gfn=0xe0000 mfn=0xc0040 nr=32");
    assert_has(log, "map_mmio gfn=0xe0100 mfn=0xc0040 nr=32");
    g_free(log);
    /* Sizing with decode off maps nothing. */
    qpci_config_writew(pt.dev, PCI_COMMAND, 0);
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_0, 0xffffffff);
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_0, 0xe0100000);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "unmap_mmio gfn=0xe0100");
    g_assert_null(strstr(log, "map_mmio gfn=0xfffe"));
    g_free(log);
    /* I/O BAR. */
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_1, 0xd000);
    qpci_config_writew(pt.dev, PCI_COMMAND, PCI_COMMAND_IO);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "map_ioport gport=0xd000 mport=0xc000 nr=64");
    pt_stop(&pt);
}

/* The ROM BAR serves the host's ROM image (sysfs rom) when enabled. */
static void test_rom(void)
{
    Pt pt = { 0 };
    g_autofree char *rom = g_build_filename(HOSTADDR, "rom", NULL);
    g_autofree char *path = NULL;
    static const char image[] = "\x55\xaa\x10xen-pt-rom-image";

    fake_create(&pt.fake, "e1000");
    path = g_build_filename(pt.fake.root, rom, NULL);
    g_assert_true(g_file_set_contents(path, image, sizeof(image), NULL));
    pt_launch(&pt, NULL);
    qpci_config_writel(pt.dev, PCI_ROM_ADDRESS, 0xffffffff);
    g_assert_cmphex(qpci_config_readl(pt.dev, PCI_ROM_ADDRESS), ==,
                    0xfffc0001);   /* 256 KiB */
    qpci_config_writel(pt.dev, PCI_ROM_ADDRESS, 0xe8000001);
    qpci_config_writew(pt.dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_cmphex(qtest_readw(pt.qts, 0xe8000000), ==, 0xaa55);
    g_assert_cmphex(qtest_readb(pt.qts, 0xe8000003), ==, 'x');
    /* Disabled again: the image is gone from the address. */
    qpci_config_writel(pt.dev, PCI_ROM_ADDRESS, 0xe8000000);
    g_assert_cmphex(qtest_readw(pt.qts, 0xe8000000), !=, 0xaa55);
    pt_stop(&pt);
}

/*
 * The guest places 64-bit BAR 0 at @hi:@lo and turns memory decoding on:
 * the hypercall log since the last look.
 */
static char *bar64_place(Pt *pt, size_t *seen, uint32_t lo, uint32_t hi)
{
    g_free(hv_log_new(pt, seen));
    qpci_config_writel(pt->dev, PCI_BASE_ADDRESS_0, lo);
    qpci_config_writel(pt->dev, PCI_BASE_ADDRESS_1, hi);
    qpci_config_writew(pt->dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
    return hv_log_new(pt, seen);
}

/* A 64-bit BAR placed above 4 GiB maps both halves' address. */
static void test_bar64(void)
{
    Pt pt = { 0 };
    size_t seen = 0;
    g_autofree char *log = NULL;

    pt_start(&pt, "nvme", NULL);
    log = bar64_place(&pt, &seen, 0x00004000, 0x8);
    /* nvme's table lives in BAR 0: its page stays trapped. */
    assert_has(log, "map_mmio gfn=0x800004");
    assert_has(log, "mfn=0xc000");
    g_free(log);
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_1, 0x9);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "unmap_mmio gfn=0x800004");
    assert_has(log, "map_mmio gfn=0x900004");
    pt_stop(&pt);
}

/*
 * An SR-IOV VF (sysfs physfn; QEMU's NVMe VF, nvme-vf-rp): its config
 * space reads vendor and device 0xffff and BARs 0.  The guest gets sysfs
 * vendor and device (the PF's vendor, the VF Device ID of the PF's SR-IOV
 * capability), no interrupt pin, and BAR 0 as the PF's capability sizes
 * it (16 KiB, 64-bit) mapped to where dom0's kernel put it (resource:
 * 0xc0104000); dom0's VF BAR registers are the PF's and stay unwritten.
 */
static void test_virtfn(void)
{
    Pt pt = { 0 };
    size_t seen = 0;
    g_autofree char *log = NULL;
    g_autofree char *cfg = NULL;
    g_autofree char *physfn = NULL;
    gsize len;

    fake_create(&pt.fake, "nvme-vf-rp");
    fake_copy("nvme-vf-rp", "vendor", pt.fake.dir);
    fake_copy("nvme-vf-rp", "device", pt.fake.dir);
    physfn = g_build_filename(pt.fake.dir, "physfn", NULL);
    g_assert_cmpint(symlink("../0000:01:00.0", physfn), ==, 0);
    pt_launch(&pt, NULL);
    g_assert_cmphex(qpci_config_readw(pt.dev, PCI_VENDOR_ID), ==, 0x1b36);
    g_assert_cmphex(qpci_config_readw(pt.dev, PCI_DEVICE_ID), ==, 0x0010);
    g_assert_cmphex(qpci_config_readb(pt.dev, PCI_INTERRUPT_PIN), ==, 0);
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_0, 0xffffffff);
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_1, 0xffffffff);
    g_assert_cmphex(qpci_config_readl(pt.dev, PCI_BASE_ADDRESS_0), ==,
                    0xffffc004);
    g_assert_cmphex(qpci_config_readl(pt.dev, PCI_BASE_ADDRESS_1), ==,
                    0xffffffff);
    log = bar64_place(&pt, &seen, 0xe0000000, 0);
    assert_has(log, "map_mmio gfn=0xe0000 mfn=0xc0104");
    qpci_unplug_acpi_device_test(pt.qts, "pt0", SLOT);
    g_assert_true(g_file_get_contents(pt.fake.config, &cfg, &len, NULL));
    g_assert_cmpmem(cfg + PCI_BASE_ADDRESS_0, 24,
                    pt.fake.orig->data + PCI_BASE_ADDRESS_0, 24);
    pt_stop(&pt);
}

static unsigned find_cap(QPCIDevice *dev, uint8_t id)
{
    unsigned pos = qpci_config_readb(dev, PCI_CAPABILITY_LIST);

    while (pos && qpci_config_readb(dev, pos) != id) {
        pos = qpci_config_readb(dev, pos + 1);
    }
    return pos;
}

/*
 * Multiple message MSI: the nec-usb-xhci offers 16 messages (Multiple
 * Message Capable 4), but a device model's map gets one pirq and one host
 * vector (Xen's allocate_and_map_msi_pirq: MAP_PIRQ_TYPE_MSI without a
 * table maps entry 1 only).  The guest is offered one message, as
 * upstream's xen-pt offers; a guest asking for four gets one, mapped and
 * bound once, and the host function sends one (Multiple Message Enable 0).
 */
static void test_msi_multi(void)
{
    Pt pt = { 0 };
    g_autofree char *log = NULL;
    unsigned cap;
    size_t seen = 0;

    pt_start(&pt, "nec-usb-xhci-msi", NULL);
    cap = find_cap(pt.dev, PCI_CAP_ID_MSI);
    g_assert_cmpuint(cap, !=, 0);
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_FLAGS, 2) &
                    PCI_MSI_FLAGS_QMASK, ==, 4 << 1);
    g_assert_cmphex(qpci_config_readw(pt.dev, cap + PCI_MSI_FLAGS) &
                    (PCI_MSI_FLAGS_QMASK | PCI_MSI_FLAGS_QSIZE), ==, 0);
    g_free(hv_log_new(&pt, &seen));
    qpci_config_writel(pt.dev, cap + PCI_MSI_ADDRESS_LO, 0xfee00000);
    qpci_config_writel(pt.dev, cap + PCI_MSI_ADDRESS_HI, 0);
    qpci_config_writew(pt.dev, cap + PCI_MSI_DATA_64, 0x0040);
    qpci_config_writew(pt.dev, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);
    qpci_config_writew(pt.dev, cap + PCI_MSI_FLAGS,
                       PCI_MSI_FLAGS_ENABLE | (2 << 4));
    g_assert_cmphex(qpci_config_readw(pt.dev, cap + PCI_MSI_FLAGS) &
                    (PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE), ==,
                    PCI_MSI_FLAGS_ENABLE);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "map_pirq_msi bus=3 devfn=0x0 entry=1 table=0x0");
    assert_has(log, "bind_msi gvec=0x40 pirq=101");
    g_assert_null(strstr(log, "gvec=0x41"));
    g_assert_null(strstr(log, "pirq=102"));
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_FLAGS, 2) &
                    (PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE), ==,
                    PCI_MSI_FLAGS_ENABLE);
    pt_stop(&pt);
}

/* INTx is mapped and bound at realize, undone at removal. */
static void test_intx(void)
{
    Pt pt = { 0 };
    g_autofree char *log = NULL;

    pt_start(&pt, "e1000", NULL);
    log = qom_get_str(pt.qts, "x-hypercall-log");
    assert_has(log, "map_pirq_gsi gsi=11 pirq=100");
    assert_has(log, "bind_intx pirq=100 bus=0 dev=4 intx=0");
    pt_stop(&pt);
}

/*
 * The edu function's MSI, programmed by the guest with @addr and @data and
 * enabled; returns the capability's offset. The hypercall log so far is
 * consumed (@seen).
 */
static unsigned msi_enable(Pt *pt, size_t *seen, uint64_t addr,
                           uint16_t data)
{
    unsigned cap;

    pt_start(pt, "edu", NULL);
    cap = find_cap(pt->dev, PCI_CAP_ID_MSI);
    g_assert_cmpuint(cap, !=, 0);
    g_free(hv_log_new(pt, seen));
    qpci_config_writel(pt->dev, cap + PCI_MSI_ADDRESS_LO, (uint32_t)addr);
    qpci_config_writel(pt->dev, cap + PCI_MSI_ADDRESS_HI, addr >> 32);
    qpci_config_writew(pt->dev, cap + PCI_MSI_DATA_64, data);
    qpci_config_writew(pt->dev, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);
    qpci_config_writew(pt->dev, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
    return cap;
}

/* MSI enable, update and disable produce the hypercall sequence. */
static void test_msi(void)
{
    Pt pt = { 0 };
    size_t seen = 0;
    unsigned cap = msi_enable(&pt, &seen, 0xfee01000, 0x0031);
    g_autofree char *log = hv_log_new(&pt, &seen);

    assert_has(log, "map_pirq_msi bus=3 devfn=0x0 entry=1 table=0x0");
    assert_has(log, "bind_msi gvec=0x31 pirq=101 gflags=0x10001");
    g_free(log);
    /* The host's MSI is enabled by the device model, not the guest. */
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_FLAGS, 2) & 1, ==, 1);
    /* Address/data stay virtual on the host (XSA-128). */
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_ADDRESS_LO, 4), ==,
                    ldl_le_p(pt.fake.orig->data + cap + PCI_MSI_ADDRESS_LO));
    qpci_config_writew(pt.dev, cap + PCI_MSI_DATA_64, 0x0032);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "bind_msi gvec=0x32 pirq=101");
    g_free(log);
    qpci_config_writew(pt.dev, cap + PCI_MSI_FLAGS, 0);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "unbind_msi gvec=0x32 pirq=101");
    assert_has(log, "unmap_pirq pirq=101");
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_FLAGS, 2) & 1, ==, 0);
    pt_stop(&pt);
}

/*
 * A Linux HVM guest on Xen asks for a pirq: data with vector 0, the pirq in
 * the destination ID (and extended destination ID) of the address. The
 * function is mapped to that pirq; a new pirq asked for means a new map.
 */
static void test_msi_guest_pirq(void)
{
    Pt pt = { 0 };
    size_t seen = 0;
    unsigned cap = msi_enable(&pt, &seen, 0x100fee33000ull, 0x0700);
    g_autofree char *log = hv_log_new(&pt, &seen);

    assert_has(log, "map_pirq_msi bus=3 devfn=0x0 entry=1 table=0x0 "
               "pirq=307");
    assert_has(log, "bind_msi gvec=0x0 pirq=307");
    g_free(log);
    qpci_config_writel(pt.dev, cap + PCI_MSI_ADDRESS_HI, 0);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "unmap_pirq pirq=307");
    assert_has(log, "pirq=51");
    pt_stop(&pt);
}

/* XSA-129: per-vector mask bits stay virtual, never reach the host. */
static void test_xsa129(void)
{
    Pt pt = { 0 };
    g_autofree char *cfg = NULL;
    gsize len;
    unsigned cap = 0x40;     /* edu's MSI capability */
    uint32_t mask_off = cap + PCI_MSI_MASK_64;

    fake_create(&pt.fake, "edu");
    g_assert_true(g_file_get_contents(pt.fake.config, &cfg, &len, NULL));
    g_assert_cmphex((uint8_t)cfg[cap], ==, PCI_CAP_ID_MSI);
    cfg[cap + PCI_MSI_FLAGS + 1] |= PCI_MSI_FLAGS_MASKBIT >> 8;
    cfg[cap + PCI_MSI_FLAGS] |= 2 << 1;             /* 4 vectors */
    g_assert_true(g_file_set_contents(pt.fake.config, cfg, len, NULL));
    pt_launch(&pt, NULL);
    qpci_config_writel(pt.dev, mask_off, 0xffffffff);
    /* the guest is offered one message: only its mask bit is writable */
    g_assert_cmphex(qpci_config_readl(pt.dev, mask_off), ==, 0x1);
    g_assert_cmphex(host_cfg(&pt.fake, mask_off, 4), ==, 0);
    pt_stop(&pt);
}

/* Without allow-interrupt-control the guest cannot enable MSI at all. */
static void test_msi_policy(void)
{
    Pt pt = { 0 };
    unsigned cap;
    g_autofree char *log = NULL;

    pt_start(&pt, "edu", ",allow-interrupt-control=off");
    cap = find_cap(pt.dev, PCI_CAP_ID_MSI);
    qpci_config_writew(pt.dev, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
    g_assert_cmphex(qpci_config_readw(pt.dev, cap + PCI_MSI_FLAGS) & 1, ==,
                    0);
    log = qom_get_str(pt.qts, "x-hypercall-log");
    g_assert_null(strstr(log, "map_pirq_msi"));
    g_assert_cmpint(qom_get_int(pt.qts, "denied-writes"), ==, 1);
    pt_stop(&pt);
}

/* MSI-X: the table is trapped, entries bind, the PBA comes from sysfs. */
/*
 * The e1000e with its MSI-X table's BAR (3) placed at @bar and memory
 * decoding on; returns the capability's offset, the table's Offset/BIR in
 * @table. The hypercall log so far is consumed (@seen).
 */
static unsigned msix_start(Pt *pt, size_t *seen, uint64_t bar,
                           uint32_t *table)
{
    unsigned cap;

    pt_start(pt, "e1000e", NULL);
    cap = find_cap(pt->dev, PCI_CAP_ID_MSIX);
    g_assert_cmpuint(cap, !=, 0);
    *table = qpci_config_readl(pt->dev, cap + PCI_MSIX_TABLE);
    g_assert_cmpuint(*table & 7, ==, 3);         /* e1000e: BAR 3 */
    qpci_config_writel(pt->dev, PCI_BASE_ADDRESS_3, bar);
    qpci_config_writew(pt->dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_free(hv_log_new(pt, seen));
    return cap;
}

static void test_msix(void)
{
    Pt pt = { 0 };
    size_t seen = 0;
    uint32_t table, pba;
    uint64_t bar = 0xe0000000;
    unsigned cap = msix_start(&pt, &seen, bar, &table);
    uint64_t taddr = bar + (table & ~7u);
    g_autofree char *log = NULL;

    pba = qpci_config_readl(pt.dev, cap + PCI_MSIX_PBA);
    qtest_writel(pt.qts, taddr + 0, 0xfee00000);
    qtest_writel(pt.qts, taddr + 4, 0);
    qtest_writel(pt.qts, taddr + 8, 0x0041);
    qtest_writel(pt.qts, taddr + 12, 0);         /* unmask */
    g_assert_cmphex(qtest_readl(pt.qts, taddr + 8), ==, 0x41);
    /* Nothing is bound before MSI-X is enabled. */
    log = hv_log_new(&pt, &seen);
    g_assert_null(strstr(log, "bind_msi"));
    g_free(log);
    qpci_config_writew(pt.dev, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "map_pirq_msi bus=3 devfn=0x0 entry=0");
    assert_has(log, "bind_msi gvec=0x41");
    assert_has(log, "gtable=0xe0000000");
    g_free(log);
    /* Masking updates the binding without the unmasked flag. */
    qtest_writel(pt.qts, taddr + 12, 1);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "bind_msi gvec=0x41 pirq=101 gflags=0x0 ");
    g_free(log);
    /* The PBA page is read from the sysfs resource file. */
    if ((pba & 7) == 3 && ((pba & ~7u) & ~0xfffu) == ((table & ~7u) &
                                                      ~0xfffu)) {
        g_assert_cmphex(qtest_readl(pt.qts, bar + (pba & ~7u)), ==, 0);
    }
    qpci_config_writew(pt.dev, cap + PCI_MSIX_FLAGS, 0);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "unmap_pirq pirq=101");
    pt_stop(&pt);
}

/*
 * Removing the device unmaps each BAR as it was mapped. The page of the
 * MSI-X table was never mapped (it stays trapped), so the unmap leaves it
 * out too: Xen refuses to unmap a range holding pages it did not map, and
 * the rest of the BAR would stay mapped into the guest after the device is
 * gone. Seen in the bed on both releases: "unmapping 4 pages of host MMIO
 * ... failed" at unplug for the e1000e's BAR 3 and the NVMe's BAR 0 (the
 * MSI-X state was torn down before the BARs were unmapped).
 */
static void test_msix_unplug_unmaps(void)
{
    Pt pt = { 0 };
    g_autofree char *trace = g_build_filename(g_get_tmp_dir(),
                                              "xpt-unmap-XXXXXX", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GPtrArray) maps = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *what = NULL;
    unsigned cap, unmaps = 0, i;
    int fd = g_mkstemp(trace);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    fake_create(&pt.fake, "e1000e");
    pt.qts = qtest_initf("-machine pc -nodefaults -trace "
                         "enable=xen_pt_map_mmio -D %s -device "
                         "xen-pci-passthrough,id=pt0,hostaddr=" HOSTADDR
                         ",x-sysfs-root=%s,addr=%d.0", trace, pt.fake.root,
                         SLOT);
    pt.bus = qpci_new_pc(pt.qts, NULL);
    pt.dev = qpci_device_find(pt.bus, QPCI_DEVFN(SLOT, 0));
    cap = find_cap(pt.dev, PCI_CAP_ID_MSIX);
    g_assert_cmpuint(qpci_config_readl(pt.dev, cap + PCI_MSIX_TABLE) & 7, ==,
                     3);
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_3, 0xe0000000);
    qpci_config_writew(pt.dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
    qpci_unplug_acpi_device_test(pt.qts, "pt0", SLOT);
    pt_stop(&pt);
    g_assert_true(g_file_get_contents(trace, &text, NULL, NULL));
    unlink(trace);
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        char *bar3 = strstr(lines[i], ": BAR 3 ");
        char *add = bar3 ? strstr(bar3, " add ") : NULL;

        if (!add) {
            continue;
        }
        if (add[5] == '1') {
            g_ptr_array_add(maps, g_strndup(bar3, add - bar3));
            continue;
        }
        unmaps++;
        g_free(what);
        what = g_strndup(bar3, add - bar3);
        if (!g_ptr_array_find_with_equal_func(maps, what, g_str_equal,
                                              NULL)) {
            g_test_message("unmapped as never mapped: %s (trace: %s)",
                           lines[i], text);
            g_test_fail();
        }
    }
    g_assert_cmpuint(maps->len, >, 0);
    g_assert_cmpuint(unmaps, ==, maps->len);
}

/*
 * MSI-X from a guest that asks for pirqs (Linux on Xen): it never clears
 * the entries' mask bits, so enabling MSI-X maps each written entry to
 * the pirq asked for and binds it unmasked.
 */
static void test_msix_guest_pirq(void)
{
    Pt pt = { 0 };
    size_t seen = 0;
    uint32_t table;
    uint64_t bar = 0xe0000000;
    unsigned cap = msix_start(&pt, &seen, bar, &table);
    uint64_t taddr = bar + (table & ~7u);
    g_autofree char *log = NULL;

    g_assert_cmphex(qtest_readl(pt.qts, taddr + 12), ==, 1);
    qtest_writel(pt.qts, taddr + 0, 0xfee36000);
    qtest_writel(pt.qts, taddr + 4, 0);
    qtest_writel(pt.qts, taddr + 8, 0x0700);
    g_free(hv_log_new(&pt, &seen));
    qpci_config_writew(pt.dev, cap + PCI_MSIX_FLAGS,
                       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    log = hv_log_new(&pt, &seen);
    g_assert_null(strstr(log, "map_pirq_msi"));
    g_free(log);
    qpci_config_writew(pt.dev, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "map_pirq_msi bus=3 devfn=0x0 entry=0 table=");
    assert_has(log, "pirq=54");
    /* gflags: the unmasked flag (0x10000) with dest 0x36, mode 7 */
    assert_has(log, "bind_msi gvec=0x0 pirq=54 gflags=0x17036 ");
    g_assert_cmphex(qtest_readl(pt.qts, taddr + 12), ==, 1);
    pt_stop(&pt);
}

/* Never two interrupt types: MSI-X refused while MSI is on. */
static void test_intr_exclusive(void)
{
    Pt pt = { 0 };
    unsigned msi, msix;
    int64_t denied;

    pt_start(&pt, "e1000e", NULL);
    msi = find_cap(pt.dev, PCI_CAP_ID_MSI);
    msix = find_cap(pt.dev, PCI_CAP_ID_MSIX);
    qpci_config_writew(pt.dev, msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
    denied = qom_get_int(pt.qts, "denied-writes");
    qpci_config_writew(pt.dev, msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
    g_assert_cmphex(qpci_config_readw(pt.dev, msix + PCI_MSIX_FLAGS) &
                    PCI_MSIX_FLAGS_ENABLE, ==, 0);
    g_assert_cmpint(qom_get_int(pt.qts, "denied-writes"), ==, denied + 1);
    pt_stop(&pt);
}

/*
 * Write @size bytes of @val at @off of the fake host's config file, in
 * place: QEMU holds it open.
 */
static void host_cfg_poke(Fake *f, unsigned off, unsigned size, uint32_t val)
{
    int fd = open(f->config, O_WRONLY);
    uint8_t buf[4];

    g_assert_cmpint(fd, >=, 0);
    stl_le_p(buf, val);
    g_assert_cmpint(pwrite(fd, buf, size, off), ==, size);
    close(fd);
}

/* The first capability @id in the fake host's original config, 0 if none. */
static unsigned orig_cap(Fake *f, uint8_t id)
{
    unsigned pos = f->orig->data[PCI_CAPABILITY_LIST] & ~3u, steps = 0;

    while (pos >= 0x40 && pos < 0xfc && steps++ < 48) {
        if (f->orig->data[pos] == id) {
            return pos;
        }
        pos = f->orig->data[pos + 1] & ~3u;
    }
    return 0;
}

/*
 * Hotplug: device_add / query-pci / device_del; reset and restore seen.
 * While the guest had the function, Xen programmed its MSI (simulated by
 * writing the fake's MSI address, data and enable); after device_del the
 * config space must be what dom0 had, byte for byte.
 */
static void test_hotplug(gconstpointer data)
{
    Fake f = { 0 };
    QTestState *qts;
    QDict *rsp;
    g_autofree char *reset = NULL;
    g_autofree char *cfg = NULL;
    gsize len;
    unsigned msi;

    fake_create(&f, data);
    qts = qtest_init("-machine pc -nodefaults");
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': "
                    "{'driver': 'xen-pci-passthrough', 'id': 'pci-pt-03_00.0',"
                    " 'hostaddr': %s, 'x-sysfs-root': %s, 'addr': '5.0',"
                    " 'permissive': true}}", HOSTADDR, f.root);
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    reset = fake_file(&f, "reset");
    g_assert_cmpstr(reset, ==, "1");
    rsp = qtest_qmp(qts, "{'execute': 'query-pci'}");
    {
        g_autoptr(GString) json = qobject_to_json(QOBJECT(rsp));
        g_autofree char *vendor =
            g_strdup_printf("\"vendor\": %u", lduw_le_p(f.orig->data));

        g_assert_nonnull(strstr(json->str, "\"qdev_id\": \"pci-pt-03_00.0\""));
        g_assert_nonnull(strstr(json->str, vendor));
    }
    qobject_unref(rsp);
    msi = orig_cap(&f, PCI_CAP_ID_MSI);
    if (g_str_equal(data, "edu")) {
        /* The edu's run is the one that checks a programmed MSI undone. */
        g_assert_cmpuint(msi, !=, 0);
    }
    if (msi) {
        host_cfg_poke(&f, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee01000);
        host_cfg_poke(&f, msi + PCI_MSI_ADDRESS_HI, 4, 0x1);
        host_cfg_poke(&f, msi + PCI_MSI_FLAGS, 2,
                      lduw_le_p(&f.orig->data[msi + PCI_MSI_FLAGS]) |
                      PCI_MSI_FLAGS_ENABLE);
        g_assert_cmphex(host_cfg(&f, msi + PCI_MSI_ADDRESS_LO, 4), ==,
                        0xfee01000);
    }
    g_free(reset);
    reset = g_build_filename(f.dir, "reset", NULL);
    g_assert_true(g_file_set_contents(reset, "", 0, NULL));
    qpci_unplug_acpi_device_test(qts, "pci-pt-03_00.0", 5);
    g_free(reset);
    reset = fake_file(&f, "reset");
    g_assert_cmpstr(reset, ==, "1");
    g_assert_true(g_file_get_contents(f.config, &cfg, &len, NULL));
    g_assert_cmpuint(len, ==, f.orig->len);
    g_assert_cmpmem(cfg, len, f.orig->data, f.orig->len);
    qtest_quit(qts);
    fake_destroy(&f);
}

/* Bad host input: a clear error, QEMU still running. */
static void test_bad_hotplug(void)
{
    Fake f = { 0 };
    QTestState *qts;
    static const struct {
        const char *hostaddr;
        const char *err;
    } cases[] = {
        { NULL, "needs the hostaddr property" },
        { "0000:09:00.0", "not found" },
    };
    size_t i;

    fake_create(&f, "e1000");
    qts = qtest_init("-machine pc -nodefaults");
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        QDict *args = qdict_new();
        QDict *rsp, *err;

        qdict_put_str(args, "driver", "xen-pci-passthrough");
        qdict_put_str(args, "x-sysfs-root", f.root);
        if (cases[i].hostaddr) {
            qdict_put_str(args, "hostaddr", cases[i].hostaddr);
        }
        rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': %p}",
                        args);
        err = qdict_get_qdict(rsp, "error");
        g_assert_nonnull(err);
        g_test_message("device_add error: %s", qdict_get_str(err, "desc"));
        g_assert_nonnull(strstr(qdict_get_str(err, "desc"), cases[i].err));
        qobject_unref(rsp);
    }
    /* The same host function twice. */
    {
        QDict *rsp = pt_device_add(qts, "one", HOSTADDR, f.root, NULL);

        g_assert_true(qdict_haskey(rsp, "return"));
        qobject_unref(rsp);
        rsp = pt_device_add(qts, "two", HOSTADDR, f.root, NULL);
        g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                              "desc"), "already in use"));
        qobject_unref(rsp);
    }
    /* A bridge, at another address: the first one is in use. */
    {
        g_autofree char *dir = g_build_filename(f.root, "0000:03:00.1",
                                                NULL);
        g_autofree char *cfg = g_build_filename(dir, "config", NULL);
        g_autofree char *drv_link = g_build_filename(dir, "driver",
                                                            NULL);
        QDict *rsp;

        g_assert_cmpint(mkdir(dir, 0755), ==, 0);
        fake_copy("pci-bridge", "config", dir);
        fake_copy("pci-bridge", "resource", dir);
        g_assert_cmpint(symlink("../drivers/pciback", drv_link), ==, 0);
        rsp = pt_device_add(qts, "br", "0000:03:00.1", f.root, NULL);
        g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                              "desc"), "bridge"));
        qobject_unref(rsp);
        /* An unreadable config file (a directory in its place). */
        unlink(cfg);
        g_assert_cmpint(mkdir(cfg, 0755), ==, 0);
        rsp = pt_device_add(qts, "ro", "0000:03:00.1", f.root, NULL);
        g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                              "desc"), "config"));
        qobject_unref(rsp);
    }
    /* Still alive. */
    qobject_unref(qtest_qmp(qts, "{'execute': 'query-status'}"));
    qtest_quit(qts);
    fake_destroy(&f);
}

/*
 * Each fixture through the guest's path: IDs as on the host, only known
 * capabilities listed, every BAR sizes to the host's size, nothing of it
 * reaches the host.
 */
static void test_fixture(gconstpointer data)
{
    static const uint8_t known[] = { 0x01, 0x03, 0x05, 0x09, 0x10, 0x11 };
    const char *name = data;
    Pt pt = { 0 };
    g_autofree char *res = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned pos, n = 0, i;
    uint64_t hi_size = 0;

    pt_start(&pt, name, NULL);
    g_assert_cmphex(qpci_config_readl(pt.dev, PCI_VENDOR_ID), ==,
                    ldl_le_p(pt.fake.orig->data));
    g_assert_cmphex(qpci_config_readl(pt.dev, PCI_CLASS_REVISION), ==,
                    ldl_le_p(pt.fake.orig->data + PCI_CLASS_REVISION));
    for (pos = qpci_config_readb(pt.dev, PCI_CAPABILITY_LIST); pos;
         pos = qpci_config_readb(pt.dev, pos + 1)) {
        g_assert_cmpuint(++n, <, 48);
        g_assert_nonnull(memchr(known, qpci_config_readb(pt.dev, pos),
                                sizeof(known)));
    }
    res = fake_file(&pt.fake, "resource");
    lines = g_strsplit(res, "\n", -1);
    for (i = 0; i < 6; i++) {
        uint64_t start, end, flags;
        unsigned off = PCI_BASE_ADDRESS_0 + 4 * i;
        uint32_t got;

        g_assert_cmpint(sscanf(lines[i], "%" SCNx64 " %" SCNx64 " %" SCNx64,
                               &start, &end, &flags), ==, 3);
        qpci_config_writel(pt.dev, off, 0xffffffff);
        got = qpci_config_readl(pt.dev, off);
        if (!flags) {
            /*
             * The upper half of a 64-bit BAR sizes as the upper bits of
             * its size mask; an unimplemented BAR reads 0.
             */
            g_assert_cmphex(got, ==,
                            hi_size ? (uint32_t)(~(hi_size - 1) >> 32) : 0);
            hi_size = 0;
            continue;
        }
        /* IORESOURCE_MEM_64: the next line is this BAR's upper half. */
        hi_size = flags & 0x00100000 ? end - start + 1 : 0;
        if (flags & 0x100) {
            g_assert_cmphex(got & ~3u, ==, (uint32_t)~(end - start) & ~3u);
        } else {
            g_assert_cmphex(got & ~0xfu, ==,
                            (uint32_t)~(end - start) & ~0xfu);
        }
    }
    g_free(res);
    res = fake_file(&pt.fake, "config");
    g_assert_cmpmem(res, pt.fake.orig->len, pt.fake.orig->data,
                    pt.fake.orig->len);
    pt_stop(&pt);
}

/* On the command line, bad input ends QEMU cleanly with the reason. */
static void test_bad_cmdline(void)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *out = NULL, *err = NULL;
    int status;
    char *argv[] = {
        (char *)qemu, (char *)"-machine", (char *)"pc", (char *)"-accel",
        (char *)"qtest", (char *)"-display", (char *)"none",
        (char *)"-nodefaults", (char *)"-device",
        (char *)"xen-pci-passthrough,hostaddr=0000:0a:00.0,"
        "x-sysfs-root=/nonexistent", NULL,
    };

    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &out, &err, &status, NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    g_assert_nonnull(strstr(err, "host PCI device 0000:0a:00.0 not found"));
}

/* The first capability @id in the fake host's config, 0 if none. */
static unsigned fake_find_cap(Fake *f, uint8_t id)
{
    const uint8_t *c = f->orig->data;
    unsigned pos = c[PCI_CAPABILITY_LIST] & ~3u, steps = 0;

    while (pos >= 0x40 && steps++ < 48) {
        if (c[pos] == id) {
            return pos;
        }
        pos = c[pos + 1] & ~3u;
    }
    return 0;
}

/* Change the fake host's config file (before QEMU opens it). */
static void fake_poke(Fake *f, unsigned off, unsigned size, uint32_t val)
{
    uint8_t *c = f->orig->data;

    stn_le_p(c + off, size, val);
    g_assert_true(g_file_set_contents(f->config, (char *)c, f->orig->len,
                                      NULL));
}

/*
 * A device whose MSI-X table offset lies near 4 GiB, with 2048 entries:
 * offset + 32 KiB wraps in 32 bits to a small value inside its BAR.  The
 * table is outside the BAR (PCI 3.0 6.8.2.4: the table lies within it):
 * refused with a clear error, QEMU still running, and the function's
 * decoding, turned on when it was opened, is off again as it was found.
 */
static void test_bad_msix_table(void)
{
    Fake f = { 0 };
    QTestState *qts;
    QDict *rsp;
    unsigned cap;

    fake_create(&f, "e1000e");
    cap = fake_find_cap(&f, PCI_CAP_ID_MSIX);
    g_assert_cmpuint(cap, !=, 0);
    /* BAR 3 of the e1000e is 16 KiB: 0xffffc000 + 0x8000 wraps to 0x4000. */
    fake_poke(&f, cap + PCI_MSIX_FLAGS, 2, 2047);
    fake_poke(&f, cap + PCI_MSIX_TABLE, 4, 0xffffc000 | 3);
    fake_poke(&f, PCI_COMMAND, 2, 0);
    qts = qtest_init("-machine pc -nodefaults");
    rsp = pt_device_add(qts, "pt0", HOSTADDR, f.root, NULL);
    g_assert_true(qdict_haskey(rsp, "error"));
    g_test_message("device_add error: %s",
                   qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"),
                            "MSI-X table (BAR 3 offset 0xffffc000, 2048 "
                            "entries) lies outside its BAR"));
    qobject_unref(rsp);
    g_assert_cmphex(host_cfg(&f, PCI_COMMAND, 2), ==, 0);
    qobject_unref(qtest_qmp(qts, "{'execute': 'query-status'}"));
    qtest_quit(qts);
    fake_destroy(&f);
}

/* Lines of @path containing @needle. */
static unsigned count_lines(const char *path, const char *needle)
{
    g_autofree char *data = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned i, n = 0;

    if (!g_file_get_contents(path, &data, NULL, NULL)) {
        return 0;
    }
    lines = g_strsplit(data, "\n", -1);
    for (i = 0; lines[i]; i++) {
        n += strstr(lines[i], needle) != NULL;
    }
    return n;
}

/* QEMU's stderr in a file of its own, to count what it reported. */
typedef struct Stderr {
    char *dir;
    char *path;
    char *redirect;      /* extra QEMU arguments: " 2>path" */
} Stderr;

static void stderr_capture(Stderr *e)
{
    e->dir = g_dir_make_tmp("xen-pt-log-XXXXXX", NULL);
    g_assert_nonnull(e->dir);
    e->path = g_build_filename(e->dir, "stderr", NULL);
    e->redirect = g_strdup_printf(" 2>%s", e->path);
}

/*
 * Messages containing @needle since @start_us: at least one, and at most
 * one per started second (the rate limit a guest cannot get around).
 */
static void stderr_assert_rate_limited(Stderr *e, const char *needle,
                                       gint64 start_us)
{
    unsigned n = count_lines(e->path, needle);

    g_assert_cmpuint(n, >=, 1);
    g_assert_cmpuint(n, <=, 1 + (g_get_monotonic_time() - start_us) /
                            G_USEC_PER_SEC);
}

static void stderr_release(Stderr *e)
{
    unlink(e->path);
    rmdir(e->dir);
    g_free(e->dir);
    g_free(e->path);
    g_free(e->redirect);
}

/*
 * A quirk pciback takes but this filter refuses (the command register,
 * which the engine handles): the device comes up without it, says so, and
 * its policy shows no quirk from pciback.
 */
static void test_pciback_quirk_refused(void)
{
    Pt pt = { 0 };
    Stderr err;
    g_autofree char *pol = NULL;

    stderr_capture(&err);
    fake_create(&pt.fake, "e1000e");
    fake_pciback(&pt.fake, "quirks", "03:00.0\n\t8086:10d3:8086:0000\n"
                 "\t\t00000004:2:0000ffff\n");
    pt_launch(&pt, err.redirect);
    pol = qom_get_str(pt.qts, "policy");
    g_assert_cmpstr(pol, ==, "permissive=off allow-interrupt-control=on "
                    "quirks=");
    g_assert_cmpuint(count_lines(err.path, "xen-pci-passthrough " HOSTADDR
                                 ": dom0's pciback quirks for it "
                                 "(0x4:2:0xffff) not taken"), ==, 1);
    pt_stop(&pt);
    stderr_release(&err);
}

/* One element of last-denied-writes (a new reference). */
static QDict *last_denied(QTestState *qts, unsigned i, unsigned *n)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/peripheral/pt0', "
                           "'property': 'last-denied-writes'}}");
    QList *l = qdict_get_qlist(rsp, "return");
    QListEntry *e;
    QDict *d = NULL;
    unsigned k = 0;

    g_assert_nonnull(l);
    QLIST_FOREACH_ENTRY(l, e) {
        if (k++ == i) {
            d = qobject_to(QDict, qlist_entry_obj(e));
            qobject_ref(d);
        }
    }
    *n = k;
    qobject_unref(rsp);
    return d;
}

static void assert_denied(QTestState *qts, unsigned i, unsigned off,
                          uint32_t val, const char *dec,
                          const char *allowed_by)
{
    unsigned n;
    QDict *d = last_denied(qts, i, &n);

    g_assert_nonnull(d);
    g_assert_cmpstr(qdict_get_str(d, "function"), ==, HOSTADDR);
    g_assert_cmpuint(qdict_get_int(d, "offset"), ==, off);
    g_assert_cmphex(qdict_get_int(d, "value"), ==, val);
    g_assert_cmpstr(qdict_get_str(d, "decision"), ==, dec);
    g_assert_cmpstr(qdict_get_str(d, "allowed-by"), ==, allowed_by);
    g_assert_cmpstr(qdict_get_str(d, "reason"), !=, "");
    qobject_unref(d);
}

/*
 * A denied write says what to do, without any log flag: its first denial
 * per register is logged naming the setting (with the exact quirk and
 * pciback's file), not again for that register, not at all when no
 * setting helps (a read-only register); last-denied-writes lists the
 * denials, typed, oldest first.
 */
static void test_denied_message(void)
{
    Pt pt = { 0 };
    Stderr err;
    unsigned msi, n;

    stderr_capture(&err);
    pt_start(&pt, "e1000e", err.redirect);
    msi = find_cap(pt.dev, PCI_CAP_ID_MSI);
    g_assert_cmpuint(msi, !=, 0);
    qpci_config_writel(pt.dev, 0x4c, 0x12345678);
    qpci_config_writew(pt.dev, PCI_VENDOR_ID, 0x1234);
    g_assert_cmpuint(count_lines(err.path, "guest write"), ==, 1);
    g_assert_cmpuint(count_lines(err.path, "guest write of 0x12345678 to "
                                 "config 0x4c (4 bytes) dropped: unlisted "
                                 "register; allowed by permissive=on, or "
                                 "the quirk 0x4c:4:0xffffffff (the quirks "
                                 "property; or in dom0 before the guest "
                                 "starts: echo " HOSTADDR "-4c:4:ffffffff > "
                                 "/sys/bus/pci/drivers/pciback/quirks)"),
                     ==, 1);
    /* past the one-a-second limit: the same register is not logged again */
    g_usleep(1100 * 1000);
    qpci_config_writel(pt.dev, 0x4c, 0x9abcdef0);
    g_assert_cmpuint(count_lines(err.path, "guest write"), ==, 1);
    qom_set_bool(pt.qts, "allow-interrupt-control", false);
    qpci_config_writew(pt.dev, msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
    g_assert_cmpuint(count_lines(err.path, "refused: MSI enable needs "
                                 "allow_interrupt_control; allowed by "
                                 "allow-interrupt-control=on (or in dom0 "
                                 "before the guest starts: echo " HOSTADDR
                                 " > /sys/bus/pci/drivers/pciback/"
                                 "allow_interrupt_control)"), ==, 1);
    assert_denied(pt.qts, 0, 0x4c, 0x12345678, "dropped",
                  "permissive=on or quirks=0x4c:4:0xffffffff");
    assert_denied(pt.qts, 1, PCI_VENDOR_ID, 0x1234, "dropped", "none");
    assert_denied(pt.qts, 2, 0x4c, 0x9abcdef0, "dropped",
                  "permissive=on or quirks=0x4c:4:0xffffffff");
    assert_denied(pt.qts, 3, msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE,
                  "refused", "allow-interrupt-control=on");
    g_assert_null(last_denied(pt.qts, 4, &n));
    g_assert_cmpuint(n, ==, 4);
    pt_stop(&pt);
    stderr_release(&err);
}

/*
 * A guest toggling decode while every BAR mapping fails: each failure is
 * reported, but at most once a second; the guest cannot flood dom0's log.
 */
static void test_map_failure_rate_limited(void)
{
    Pt pt = { 0 };
    Stderr err;
    QDict *rsp;
    unsigned i;
    gint64 start;

    stderr_capture(&err);
    pt_start(&pt, "e1000", err.redirect);
    rsp = qtest_qmp(pt.qts, "{'execute': 'qom-set', 'arguments': "
                    "{'path': '/machine/peripheral/pt0', "
                    "'property': 'x-hv-fail', 'value': %u}}",
                    1u << 7 /* map_mmio */);
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qpci_config_writel(pt.dev, PCI_BASE_ADDRESS_0, 0xe0000000);
    start = g_get_monotonic_time();
    for (i = 0; i < 50; i++) {
        qpci_config_writew(pt.dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
        qpci_config_writew(pt.dev, PCI_COMMAND, 0);
    }
    /* 100 failed calls; one message per started second at most. */
    stderr_assert_rate_limited(&err, "pages of host MMIO at", start);
    pt_stop(&pt);
    stderr_release(&err);
}

/*
 * Quirks as documented, with 0x prefixes: replacing or clearing them at
 * run time takes the old ones away (the guest's write no longer reaches
 * the host).
 */
static void test_quirks_hex_replace(void)
{
    Pt pt = { 0 };
    QDict *rsp;
    uint16_t orig;

    pt_start(&pt, "e1000e", NULL);
    orig = lduw_le_p(pt.fake.orig->data + 0x40);
    rsp = qom_set_str(pt.qts, "quirks", "0x40:0x2:0xffff");
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qpci_config_writew(pt.dev, 0x40, 0x1234);
    g_assert_cmphex(host_cfg(&pt.fake, 0x40, 2), ==, 0x1234);
    /* Cleared: the register is unlisted again, writes dropped. */
    rsp = qom_set_str(pt.qts, "quirks", "");
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qpci_config_writew(pt.dev, 0x40, 0x5678);
    g_assert_cmphex(host_cfg(&pt.fake, 0x40, 2), ==, 0x1234);
    /* Replaced by another register: only the new one is written. */
    rsp = qom_set_str(pt.qts, "quirks", "0x40:0x2:0xffff");
    qobject_unref(rsp);
    rsp = qom_set_str(pt.qts, "quirks", "0x44:0x2:0xffff");
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qpci_config_writew(pt.dev, 0x40, orig);
    g_assert_cmphex(host_cfg(&pt.fake, 0x40, 2), ==, 0x1234);
    qpci_config_writew(pt.dev, 0x44, 0x9abc);
    g_assert_cmphex(host_cfg(&pt.fake, 0x44, 2), ==, 0x9abc);
    pt_stop(&pt);
}

/*
 * Realize failing after the host function was opened, reset and filtered
 * (a quirk list that is refused): everything done is undone, so the
 * function is free again.
 */
static void test_failed_realize_undone(void)
{
    Fake f = { 0 };
    QTestState *qts;
    QDict *rsp;

    fake_create(&f, "e1000");
    qts = qtest_init("-machine pc -nodefaults");
    rsp = pt_device_add(qts, "bad", HOSTADDR, f.root, "04:2:ffff");
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    /* Not claimed any more: the same function can be added. */
    rsp = pt_device_add(qts, "good", HOSTADDR, f.root, NULL);
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_quit(qts);
    fake_destroy(&f);
}

/*
 * Host config writes that fail (the function gone, a broken sysfs) are
 * reported whichever access caused them, rate-limited: a guest toggling
 * bus mastering cannot flood dom0's log, and the host keeps its value.
 */
static void test_host_write_failure_reported(void)
{
    Pt pt = { 0 };
    Stderr err;
    uint16_t cmd;
    unsigned i;
    gint64 start;

    stderr_capture(&err);
    pt_start(&pt, "e1000", err.redirect);
    cmd = host_cfg(&pt.fake, PCI_COMMAND, 2);
    qom_set_bool(pt.qts, "x-host-write-fail", true);
    start = g_get_monotonic_time();
    for (i = 0; i < 50; i++) {
        qpci_config_writew(pt.dev, PCI_COMMAND, PCI_COMMAND_MASTER);
        qpci_config_writew(pt.dev, PCI_COMMAND, 0);
    }
    g_assert_cmphex(host_cfg(&pt.fake, PCI_COMMAND, 2), ==, cmd);
    stderr_assert_rate_limited(&err, "host config write", start);
    pt_stop(&pt);
    stderr_release(&err);
}

/*
 * In a stubdomain (x-local-addr stands for the xenstore lookup): libxl's
 * hostaddr is dom0's address, used for the hypercalls; the function is
 * opened where pcifront shows it; dom0 resets it, so nothing writes the
 * sysfs reset file here.
 */
#define DOM0_ADDR "0000:00:07.0"

static QTestState *stubdom_launch(Fake *f, const char *fixture,
                                  const char *extra)
{
    fake_create(f, fixture);
    /* in the stubdomain, pcifront's function is bound to no driver */
    fake_set_driver(f, NULL);
    return qtest_initf("-machine pc -nodefaults -device "
                       "xen-pci-passthrough,id=pt0,hostaddr=" DOM0_ADDR
                       ",x-local-addr=" HOSTADDR ",x-sysfs-root=%s,"
                       "addr=%d.0%s", f->root, SLOT, extra ? extra : "");
}

static void test_stubdom(void)
{
    Pt pt = { 0 };
    size_t seen = 0;
    unsigned cap;
    g_autofree char *log = NULL;
    g_autofree char *reset = NULL;

    pt.qts = stubdom_launch(&pt.fake, "edu", NULL);
    pt.bus = qpci_new_pc(pt.qts, NULL);
    pt.dev = qpci_device_find(pt.bus, QPCI_DEVFN(SLOT, 0));
    g_assert_nonnull(pt.dev);
    g_assert_cmphex(qpci_config_readw(pt.dev, PCI_VENDOR_ID), ==, 0x1234);
    /* not the host's line (pciback's GSI here): the guest's to assign */
    g_assert_cmphex(pt.fake.orig->data[PCI_INTERRUPT_LINE], !=, 0);
    g_assert_cmphex(qpci_config_readb(pt.dev, PCI_INTERRUPT_LINE), ==, 0);
    reset = fake_file(&pt.fake, "reset");
    g_assert_cmpstr(reset, ==, "");
    /* the probe left the MSI control and bus mastering as found */
    g_assert_cmphex(host_cfg(&pt.fake, PCI_COMMAND, 2), ==,
                    lduw_le_p(pt.fake.orig->data + PCI_COMMAND));
    cap = orig_cap(&pt.fake, PCI_CAP_ID_MSI);
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_FLAGS, 2), ==,
                    lduw_le_p(pt.fake.orig->data + cap + PCI_MSI_FLAGS));
    g_free(hv_log_new(&pt, &seen));
    qpci_config_writel(pt.dev, cap + PCI_MSI_ADDRESS_LO, 0xfee01000);
    qpci_config_writew(pt.dev, cap + PCI_MSI_DATA_64, 0x31);
    qpci_config_writew(pt.dev, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
    log = hv_log_new(&pt, &seen);
    /* 00:07.0 in dom0: devfn 0x38 */
    assert_has(log, "map_pirq_msi bus=0 devfn=0x38 entry=1");
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_FLAGS, 2) & 1, ==, 1);
    pt_stop(&pt);
}

/*
 * The GSI in a stubdomain is pcifront's interrupt line (pciback shows dom0's
 * IRQ there), not sysfs irq: that is the stubdomain's own Linux IRQ once its
 * kernel has enabled the function (seen with an xHCI: 30 for GSI 21, whose
 * map then failed).
 */
static void test_stubdom_gsi(void)
{
    Fake f = { 0 };
    QTestState *qts;
    g_autofree char *irq = NULL;
    g_autofree char *log = NULL;

    fake_create(&f, "e1000");
    irq = g_build_filename(f.dir, "irq", NULL);
    g_assert_true(g_file_set_contents(irq, "30\n", -1, NULL));
    g_assert_cmpuint(f.orig->data[PCI_INTERRUPT_LINE], ==, 11);
    fake_set_driver(&f, NULL);
    qts = qtest_initf("-machine pc -nodefaults -device "
                      "xen-pci-passthrough,id=pt0,hostaddr=" DOM0_ADDR
                      ",x-local-addr=" HOSTADDR ",x-sysfs-root=%s,addr=%d.0",
                      f.root, SLOT);
    log = qom_get_str(qts, "x-hypercall-log");
    assert_has(log, "map_pirq_gsi gsi=11 pirq=100");
    g_assert_null(strstr(log, "gsi=30"));
    qtest_quit(qts);
    fake_destroy(&f);
}

/*
 * pciback without allow_interrupt_control drops the stubdomain's writes of
 * the MSI/MSI-X control: the device still comes up, with MSI and MSI-X
 * hidden from the guest (INTx works), and a warning naming dom0's setting;
 * the probe leaves the host's registers as found.
 */
static void test_stubdom_intr_refused(gconstpointer data)
{
    Fake f = { 0 };
    Stderr err;
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    g_autofree char *log = NULL;
    g_autofree char *extra = NULL;

    stderr_capture(&err);
    extra = g_strdup_printf(",x-host-refuse-intr=on%s", err.redirect);
    qts = stubdom_launch(&f, data, extra);
    bus = qpci_new_pc(qts, NULL);
    dev = qpci_device_find(bus, QPCI_DEVFN(SLOT, 0));
    g_assert_nonnull(dev);
    g_assert_cmpuint(find_cap(dev, PCI_CAP_ID_MSI), ==, 0);
    g_assert_cmpuint(find_cap(dev, PCI_CAP_ID_MSIX), ==, 0);
    /* the rest of the list is still there (the e1000e's PM, PCIe) */
    if (!strcmp(data, "e1000e")) {
        g_assert_cmpuint(find_cap(dev, PCI_CAP_ID_PM), !=, 0);
        g_assert_cmpuint(find_cap(dev, PCI_CAP_ID_EXP), !=, 0);
    }
    g_assert_cmphex(host_cfg(&f, PCI_COMMAND, 2), ==,
                    lduw_le_p(f.orig->data + PCI_COMMAND));
    g_assert_true(g_file_get_contents(err.path, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "MSI and MSI-X are hidden from the guest"));
    g_assert_nonnull(strstr(log, "write " DOM0_ADDR " to /sys/bus/pci/"
                            "drivers/pciback/allow_interrupt_control"));
    g_free(dev);
    qpci_free_pc(bus);
    qtest_quit(qts);
    fake_destroy(&f);
    stderr_release(&err);
}

/*
 * A refusal after realize (dom0 changed its mind, or a control the probe
 * could not try): the guest's MSI enable is read back on the host, found
 * refused, and reported (rate-limited) naming dom0's setting; the host's
 * MSI stays off.
 */
static void test_stubdom_enable_refused(void)
{
    Pt pt = { 0 };
    Stderr err;
    unsigned cap, i;
    gint64 start;

    stderr_capture(&err);
    pt.qts = stubdom_launch(&pt.fake, "edu", err.redirect);
    pt.bus = qpci_new_pc(pt.qts, NULL);
    pt.dev = qpci_device_find(pt.bus, QPCI_DEVFN(SLOT, 0));
    cap = find_cap(pt.dev, PCI_CAP_ID_MSI);
    g_assert_cmpuint(cap, !=, 0);
    qom_set_bool(pt.qts, "x-host-refuse-intr", true);
    start = g_get_monotonic_time();
    qpci_config_writel(pt.dev, cap + PCI_MSI_ADDRESS_LO, 0xfee01000);
    qpci_config_writew(pt.dev, cap + PCI_MSI_DATA_64, 0x31);
    for (i = 0; i < 20; i++) {
        qpci_config_writew(pt.dev, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
        qpci_config_writew(pt.dev, cap + PCI_MSI_FLAGS, 0);
    }
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_FLAGS, 2) & 1, ==, 0);
    stderr_assert_rate_limited(&err, "allow_interrupt_control", start);
    g_assert_cmpuint(count_lines(err.path, "refused the interrupt control "
                                 "write"), >=, 1);
    pt_stop(&pt);
    stderr_release(&err);
}

/*
 * A function that is not pciback's is refused before anything touches it:
 * bound to one of dom0's drivers (a typo in hostaddr could name dom0's
 * disk controller) or to none, in dom0; bound to a driver of the
 * stubdomain's, in a stubdomain.  The error names the driver and xl
 * pci-assignable-add; the function is left as found (no reset, no config
 * write) and not claimed (it can be added once given to pciback).
 */
typedef struct DriverCase {
    const char *driver;          /* NULL: none */
    bool stubdom;
    const char *error;           /* expected in the error message */
} DriverCase;

static const DriverCase driver_cases[] = {
    { "ahci", false, "host PCI device " HOSTADDR " is bound to dom0's driver "
      "ahci, not to pciback: not taken; make it assignable first (xl "
      "pci-assignable-add " HOSTADDR ")" },
    { NULL, false, "host PCI device " HOSTADDR " is bound to no driver, not "
      "to pciback: not taken; make it assignable first (xl "
      "pci-assignable-add " HOSTADDR ")" },
    { "e1000", true, "is bound to the stubdomain's driver e1000: not taken" },
};

/* device_add of the fake function @f as @id, in dom0 or in a stubdomain */
static QDict *driver_case_add(QTestState *qts, const DriverCase *dc,
                              Fake *f, const char *id)
{
    QDict *args = qdict_new();

    qdict_put_str(args, "driver", "xen-pci-passthrough");
    qdict_put_str(args, "id", id);
    qdict_put_str(args, "hostaddr", dc->stubdom ? DOM0_ADDR : HOSTADDR);
    if (dc->stubdom) {
        qdict_put_str(args, "x-local-addr", HOSTADDR);
    }
    qdict_put_str(args, "x-sysfs-root", f->root);
    return qtest_qmp(qts, "{'execute': 'device_add', 'arguments': %p}", args);
}

static void test_driver_refused(gconstpointer data)
{
    const DriverCase *dc = data;
    Fake f = { 0 };
    QTestState *qts;
    QDict *rsp;
    const char *desc;
    g_autofree char *reset = NULL;
    g_autofree char *cfg = NULL;
    gsize len;

    fake_create(&f, "e1000");
    fake_set_driver(&f, dc->driver);
    qts = qtest_init("-machine pc -nodefaults");
    rsp = driver_case_add(qts, dc, &f, "pt0");
    g_assert_true(qdict_haskey(rsp, "error"));
    desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
    if (!strstr(desc, dc->error)) {
        g_error("error '%s' lacks '%s'", desc, dc->error);
    }
    qobject_unref(rsp);
    /* left as found: not reset, config not written */
    reset = fake_file(&f, "reset");
    g_assert_cmpstr(reset, ==, "");
    g_assert_true(g_file_get_contents(f.config, &cfg, &len, NULL));
    g_assert_cmpuint(len, ==, f.orig->len);
    g_assert_true(memcmp(cfg, f.orig->data, len) == 0);
    /* not claimed: once pciback's (pcifront's: no driver), it is taken */
    fake_set_driver(&f, dc->stubdom ? NULL : "pciback");
    rsp = driver_case_add(qts, dc, &f, "pt1");
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_quit(qts);
    fake_destroy(&f);
}

/* ---- a hypercall failing at each interrupt step (x-hv-fail) ---- */

/* The recording ops' op numbers (fail-mask bits), Xen's calls. */
enum {
    HV_MAP_PIRQ_GSI, HV_MAP_PIRQ_MSI, HV_UNMAP_PIRQ, HV_BIND_MSI,
    HV_UNBIND_MSI, HV_BIND_INTX,
};

static void qom_set_u64(QTestState *qts, const char *prop, uint64_t v)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'qom-set', 'arguments': "
                           "{'path': '/machine/peripheral/pt0', "
                           "'property': %s, 'value': %" PRIu64 "}}", prop, v);

    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

/*
 * INTx cannot be set up: realize fails naming the step, and everything
 * is undone (the function is free again, and as it was found).
 */
static void test_hv_fail_intx(gconstpointer data)
{
    uint64_t fail = 1ull << GPOINTER_TO_UINT(data);
    const char *want = fail == 1ull << HV_BIND_INTX ? "binding pirq 100 "
                       "to the guest's INTA" : "mapping its GSI 11";
    Fake f = { 0 };
    QTestState *qts;
    QDict *args = qdict_new(), *rsp;
    const char *desc;
    g_autofree char *cfg = NULL;
    gsize len;

    fake_create(&f, "e1000");
    qts = qtest_init("-machine pc -nodefaults");
    qdict_put_str(args, "driver", "xen-pci-passthrough");
    qdict_put_str(args, "id", "bad");
    qdict_put_str(args, "hostaddr", HOSTADDR);
    qdict_put_str(args, "x-sysfs-root", f.root);
    qdict_put_int(args, "x-hv-fail", fail);
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': %p}", args);
    g_assert_true(qdict_haskey(rsp, "error"));
    desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
    if (!strstr(desc, want)) {
        g_error("error '%s' lacks '%s'", desc, want);
    }
    qobject_unref(rsp);
    g_assert_true(g_file_get_contents(f.config, &cfg, &len, NULL));
    g_assert_true(len == f.orig->len && !memcmp(cfg, f.orig->data, len));
    rsp = pt_device_add(qts, "pt0", HOSTADDR, f.root, NULL);
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_quit(qts);
    fake_destroy(&f);
}

typedef struct MsiFailCase {
    unsigned op;
    const char *log;         /* the hypercalls the enable makes */
} MsiFailCase;

static const MsiFailCase msi_fail_cases[] = {
    { HV_MAP_PIRQ_MSI,
      "map_pirq_msi bus=3 devfn=0x0 entry=1 table=0x0 pirq=101 = -1\n" },
    { HV_BIND_MSI,
      "map_pirq_msi bus=3 devfn=0x0 entry=1 table=0x0 pirq=101\n"
      "bind_msi gvec=0x31 pirq=101 gflags=0x10001 gtable=0x0 = -1\n"
      "unmap_pirq pirq=101\n" },
};

/*
 * The guest enables MSI and a hypercall fails: nothing stays mapped or
 * bound, the host's MSI stays off, the guest reads MSI Enable clear; once
 * the hypervisor works again, the guest's next enable works.
 */
static void test_hv_fail_msi(gconstpointer data)
{
    const MsiFailCase *c = data;
    Pt pt = { 0 };
    size_t seen = 0;
    unsigned cap;
    g_autofree char *log = NULL;

    pt_start(&pt, "edu", NULL);
    qom_set_u64(pt.qts, "x-hv-fail", 1ull << c->op);
    g_free(hv_log_new(&pt, &seen));
    cap = find_cap(pt.dev, PCI_CAP_ID_MSI);
    qpci_config_writel(pt.dev, cap + PCI_MSI_ADDRESS_LO, 0xfee01000);
    qpci_config_writew(pt.dev, cap + PCI_MSI_DATA_64, 0x0031);
    qpci_config_writew(pt.dev, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);
    qpci_config_writew(pt.dev, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
    log = hv_log_new(&pt, &seen);
    g_assert_cmpstr(log, ==, c->log);
    g_assert_cmphex(qpci_config_readw(pt.dev, cap + PCI_MSI_FLAGS) & 1, ==,
                    0);
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_FLAGS, 2) & 1, ==, 0);
    qom_set_u64(pt.qts, "x-hv-fail", 0);
    qpci_config_writew(pt.dev, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
    g_assert_cmphex(qpci_config_readw(pt.dev, cap + PCI_MSI_FLAGS) & 1, ==,
                    1);
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_FLAGS, 2) & 1, ==, 1);
    pt_stop(&pt);
}

/*
 * Undo steps that fail (unbind, unmap) are reported and the state is
 * left clean: MSI off in the host, and a new enable maps afresh.
 */
static void test_hv_fail_msi_undo(void)
{
    Pt pt = { 0 };
    size_t seen = 0;
    unsigned cap = msi_enable(&pt, &seen, 0xfee01000, 0x0031);
    g_autofree char *log = NULL;

    g_free(hv_log_new(&pt, &seen));
    qom_set_u64(pt.qts, "x-hv-fail",
                1ull << HV_UNBIND_MSI | 1ull << HV_UNMAP_PIRQ);
    qpci_config_writew(pt.dev, cap + PCI_MSI_FLAGS, 0);
    log = hv_log_new(&pt, &seen);
    g_assert_cmpstr(log, ==,
                    "unbind_msi gvec=0x31 pirq=101 gflags=0x10001 = -1\n"
                    "unmap_pirq pirq=101 = -1\n");
    g_free(log);
    g_assert_cmphex(host_cfg(&pt.fake, cap + PCI_MSI_FLAGS, 2) & 1, ==, 0);
    qom_set_u64(pt.qts, "x-hv-fail", 0);
    qpci_config_writew(pt.dev, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
    log = hv_log_new(&pt, &seen);
    assert_has(log, "map_pirq_msi bus=3 devfn=0x0 entry=1 table=0x0 "
               "pirq=102");
    pt_stop(&pt);
}

/*
 * An MSI-X entry that cannot be bound (or mapped) is left unmapped and
 * reads masked, so the guest's view says it is not live.
 */
static void test_hv_fail_msix(gconstpointer data)
{
    unsigned op = GPOINTER_TO_UINT(data);
    Pt pt = { 0 };
    size_t seen = 0;
    uint32_t table;
    uint64_t bar = 0xe0000000;
    unsigned cap = msix_start(&pt, &seen, bar, &table);
    uint64_t taddr = bar + (table & ~7u);
    g_autofree char *log = NULL;
    g_autofree char *want = NULL;
    /* Xen is told the table's host address: BAR 3 in the resource file */
    g_autofree char *res = fake_file(&pt.fake, "resource");
    g_auto(GStrv) lines = g_strsplit(res, "\n", -1);
    uint64_t host = g_ascii_strtoull(lines[3], NULL, 16) + (table & ~7u);
    g_autofree char *map = g_strdup_printf("map_pirq_msi bus=3 devfn=0x0 "
                                           "entry=0 table=0x%" PRIx64
                                           " pirq=101", host);

    want = op == HV_BIND_MSI ?
        g_strdup_printf("%s\nbind_msi gvec=0x41 pirq=101 gflags=0x10000 "
                        "gtable=0xe0000000 = -1\nunmap_pirq pirq=101\n",
                        map) :
        g_strdup_printf("%s = -1\n", map);
    qtest_writel(pt.qts, taddr + 0, 0xfee00000);
    qtest_writel(pt.qts, taddr + 4, 0);
    qtest_writel(pt.qts, taddr + 8, 0x0041);
    qpci_config_writew(pt.dev, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
    g_free(hv_log_new(&pt, &seen));
    qom_set_u64(pt.qts, "x-hv-fail", 1ull << op);
    qtest_writel(pt.qts, taddr + 12, 0);         /* unmask */
    log = hv_log_new(&pt, &seen);
    g_assert_cmpstr(log, ==, want);
    g_assert_cmphex(qtest_readl(pt.qts, taddr + 12), ==, 1);
    /* unmasked again once Xen takes it */
    qom_set_u64(pt.qts, "x-hv-fail", 0);
    qtest_writel(pt.qts, taddr + 12, 0);
    g_assert_cmphex(qtest_readl(pt.qts, taddr + 12), ==, 0);
    pt_stop(&pt);
}

/*
 * A function whose reset fails (the kernel refuses the reset write: here
 * the fake's reset node is a directory) is refused by default, its config
 * space untouched and the function free again; with no-strict-reset it is
 * passed through, with a warning that it may keep its previous user's
 * state.
 */
static void test_reset_fails(gconstpointer data)
{
    bool strict = !GPOINTER_TO_UINT(data);
    Fake f = { 0 };
    Stderr err;
    QTestState *qts;
    QDict *args = qdict_new(), *rsp;
    g_autofree char *reset = NULL;
    g_autofree char *cfg = NULL;
    gsize len;

    fake_create(&f, "e1000");
    reset = g_build_filename(f.dir, "reset", NULL);
    g_assert_cmpint(unlink(reset), ==, 0);
    g_assert_cmpint(mkdir(reset, 0755), ==, 0);
    stderr_capture(&err);
    qts = qtest_initf("-machine pc -nodefaults%s", err.redirect);
    qdict_put_str(args, "driver", "xen-pci-passthrough");
    qdict_put_str(args, "id", "pt0");
    qdict_put_str(args, "hostaddr", HOSTADDR);
    qdict_put_str(args, "x-sysfs-root", f.root);
    qdict_put_str(args, "addr", "5.0");
    qdict_put_bool(args, "no-strict-reset", !strict);
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': %p}", args);
    if (strict) {
        g_assert_true(qdict_haskey(rsp, "error"));
        g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                              "desc"), "reset failed"));
    } else {
        g_assert_true(qdict_haskey(rsp, "return"));
        /* released: no reset either, the config as found written back */
        qpci_unplug_acpi_device_test(qts, "pt0", 5);
    }
    qobject_unref(rsp);
    g_assert_true(g_file_get_contents(f.config, &cfg, &len, NULL));
    g_assert_cmpmem(cfg, len, f.orig->data, f.orig->len);
    qtest_quit(qts);
    g_assert_cmpuint(count_lines(err.path, "going on without a reset"), ==,
                     strict ? 0 : 2);          /* at realize and removal */
    stderr_release(&err);
    fake_destroy(&f);
}

/*
 * power_mgmt, the name Qubes' libxl passes in device_add: the guest's
 * PowerState (PMCSR bits 1:0, PCI PM 1.2; D3hot = 3) reaches a function
 * that keeps its state leaving D3hot (the NVMe: No_Soft_Reset set), as
 * pciback lets its frontend's; the function is back in D0 when released.
 * Off (the default, as upstream), or for a function that resets itself
 * leaving D3hot (the e1000e: No_Soft_Reset clear, refused with a warning),
 * the host stays in D0 while the guest reads the state it wrote.
 */
static void test_power_mgmt(void)
{
    const unsigned nvme = 0x64, e1000e = 0xcc;  /* the fixtures' PMCSR */
    Pt pt = { 0 };
    Stderr err;
    g_autofree char *opts = NULL;

    pt_start(&pt, "nvme", ",power_mgmt=on");
    g_assert_cmphex(host_cfg(&pt.fake, nvme, 2), ==, 0x0008);
    qpci_config_writew(pt.dev, nvme, 0x0003);
    g_assert_cmphex(host_cfg(&pt.fake, nvme, 2), ==, 0x000b);
    g_assert_cmphex(qpci_config_readw(pt.dev, nvme) & 3, ==, 3);
    qpci_config_writew(pt.dev, nvme, 0x0000);
    g_assert_cmphex(host_cfg(&pt.fake, nvme, 2), ==, 0x0008);
    /* left in D3hot by its guest */
    qpci_config_writew(pt.dev, nvme, 0x0003);
    g_assert_cmphex(host_cfg(&pt.fake, nvme, 2), ==, 0x000b);
    qpci_unplug_acpi_device_test(pt.qts, "pt0", SLOT);
    g_assert_cmphex(host_cfg(&pt.fake, nvme, 2), ==, 0x0008);
    pt_stop(&pt);

    pt_start(&pt, "nvme", NULL);
    qpci_config_writew(pt.dev, nvme, 0x0003);
    g_assert_cmphex(qpci_config_readw(pt.dev, nvme) & 3, ==, 3);
    g_assert_cmphex(host_cfg(&pt.fake, nvme, 2), ==, 0x0008);
    pt_stop(&pt);

    fake_create(&pt.fake, "e1000e");
    stderr_capture(&err);
    opts = g_strdup_printf(",power_mgmt=on%s", err.redirect);
    pt_launch(&pt, opts);
    qpci_config_writew(pt.dev, e1000e, 0x0003);
    g_assert_cmphex(qpci_config_readw(pt.dev, e1000e) & 3, ==, 3);
    g_assert_cmphex(host_cfg(&pt.fake, e1000e, 2) & 3, ==, 0);
    pt_stop(&pt);
    g_assert_cmpuint(count_lines(err.path, "No_Soft_Reset 0"), ==, 1);
    stderr_release(&err);
}

/* The tests that take a case: a hypercall failing, a driver binding. */
static const struct {
    const char *path;
    GTestDataFunc fn;
    const void *data;
} case_tests[] = {
    { "/xen-pt/hv-fail/intx-map", test_hv_fail_intx,
      GUINT_TO_POINTER(HV_MAP_PIRQ_GSI) },
    { "/xen-pt/hv-fail/intx-bind", test_hv_fail_intx,
      GUINT_TO_POINTER(HV_BIND_INTX) },
    { "/xen-pt/hv-fail/msi-map", test_hv_fail_msi, &msi_fail_cases[0] },
    { "/xen-pt/hv-fail/msi-bind", test_hv_fail_msi, &msi_fail_cases[1] },
    { "/xen-pt/hv-fail/msix-map", test_hv_fail_msix,
      GUINT_TO_POINTER(HV_MAP_PIRQ_MSI) },
    { "/xen-pt/hv-fail/msix-bind", test_hv_fail_msix,
      GUINT_TO_POINTER(HV_BIND_MSI) },
    { "/xen-pt/driver/dom0-driver", test_driver_refused, &driver_cases[0] },
    { "/xen-pt/driver/none", test_driver_refused, &driver_cases[1] },
    { "/xen-pt/driver/stubdom-driver", test_driver_refused,
      &driver_cases[2] },
    { "/xen-pt/reset-fails/strict", test_reset_fails, GUINT_TO_POINTER(0) },
    { "/xen-pt/reset-fails/no-strict-reset", test_reset_fails,
      GUINT_TO_POINTER(1) },
};

int main(int argc, char **argv)
{
    unsigned i;

    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/xen-pt/config", test_config);
    qtest_add_func("/xen-pt/power-mgmt", test_power_mgmt);
    for (i = 0; i < G_N_ELEMENTS(case_tests); i++) {
        qtest_add_data_func(case_tests[i].path, case_tests[i].data,
                            case_tests[i].fn);
    }
    qtest_add_func("/xen-pt/hv-fail/msi-undo", test_hv_fail_msi_undo);
    qtest_add_func("/xen-pt/msix/unplug-unmaps", test_msix_unplug_unmaps);
    qtest_add_func("/xen-pt/stubdom/local-addr", test_stubdom);
    qtest_add_func("/xen-pt/stubdom/gsi-from-line", test_stubdom_gsi);
    qtest_add_data_func("/xen-pt/stubdom/intr-refused/msi", "edu",
                        test_stubdom_intr_refused);
    qtest_add_data_func("/xen-pt/stubdom/intr-refused/msix", "e1000e",
                        test_stubdom_intr_refused);
    qtest_add_func("/xen-pt/stubdom/enable-refused",
                   test_stubdom_enable_refused);
    qtest_add_func("/xen-pt/bars", test_bars);
    qtest_add_func("/xen-pt/quirks", test_quirks);
    qtest_add_func("/xen-pt/bar64", test_bar64);
    qtest_add_func("/xen-pt/virtfn", test_virtfn);
    qtest_add_func("/xen-pt/msi-multi", test_msi_multi);
    qtest_add_func("/xen-pt/intx", test_intx);
    qtest_add_func("/xen-pt/rom", test_rom);
    qtest_add_func("/xen-pt/msi", test_msi);
    qtest_add_func("/xen-pt/msi-guest-pirq", test_msi_guest_pirq);
    qtest_add_func("/xen-pt/msi-policy", test_msi_policy);
    qtest_add_func("/xen-pt/pciback-policy", test_pciback_policy);
    qtest_add_func("/xen-pt/denied-message", test_denied_message);
    qtest_add_func("/xen-pt/pciback-quirk-refused",
                   test_pciback_quirk_refused);
    qtest_add_func("/xen-pt/pciback-policy-malformed",
                   test_pciback_policy_malformed);
    qtest_add_func("/xen-pt/xsa129-msi-mask", test_xsa129);
    qtest_add_func("/xen-pt/msix", test_msix);
    qtest_add_func("/xen-pt/msix-guest-pirq", test_msix_guest_pirq);
    qtest_add_func("/xen-pt/intr-exclusive", test_intr_exclusive);
    qtest_add_data_func("/xen-pt/hotplug/e1000", "e1000", test_hotplug);
    qtest_add_data_func("/xen-pt/hotplug/edu-msi-restored", "edu",
                        test_hotplug);
    qtest_add_func("/xen-pt/bad-hotplug", test_bad_hotplug);
    qtest_add_func("/xen-pt/bad-cmdline", test_bad_cmdline);
    qtest_add_func("/xen-pt/bad-msix-table", test_bad_msix_table);
    qtest_add_func("/xen-pt/failed-realize-undone",
                   test_failed_realize_undone);
    qtest_add_func("/xen-pt/map-failure-rate-limited",
                   test_map_failure_rate_limited);
    qtest_add_func("/xen-pt/quirks-hex-replace", test_quirks_hex_replace);
    qtest_add_func("/xen-pt/host-write-failure-reported",
                   test_host_write_failure_reported);
    qtest_add_data_func("/xen-pt/fixture/e1000e", "e1000e", test_fixture);
    qtest_add_data_func("/xen-pt/fixture/nvme", "nvme", test_fixture);
    qtest_add_data_func("/xen-pt/fixture/virtio-net-pci", "virtio-net-pci",
                        test_fixture);
    qtest_add_data_func("/xen-pt/fixture/edu", "edu", test_fixture);
    qtest_add_data_func("/xen-pt/fixture/ich9-intel-hda", "ich9-intel-hda",
                        test_fixture);
    return g_test_run();
}
