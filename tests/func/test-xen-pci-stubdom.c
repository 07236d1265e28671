/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Finding dom0's function under the stubdomain's pcifront address.  The
 * xenstore contents are what dom0's pciback (Linux 6.1, default vpci mode)
 * published for a stubdomain given two functions: dev-N in dom0's
 * "DDDD:BB:DD.F", vdev-N with a two-digit function, num_devs decimal.
 */
#include <string.h>
#include "xen-pci-stubdom.h"

#define BE "/local/domain/0/backend/pci/3/0"

typedef struct Store {
    const char *const *kv;   /* key, value, ..., NULL */
    unsigned reads;
} Store;

static char *store_read(void *opaque, const char *path)
{
    Store *s = opaque;
    unsigned i;

    s->reads++;
    for (i = 0; s->kv[i]; i += 2) {
        if (!strcmp(s->kv[i], path)) {
            return g_strdup(s->kv[i + 1]);
        }
    }
    return NULL;
}

static const char *const two_funcs[] = {
    "device/pci/0/backend", BE,
    BE "/num_devs", "2",
    BE "/dev-0", "0000:00:03.0",
    BE "/vdev-0", "0000:00:00.00",
    BE "/dev-1", "0000:00:05.0",
    BE "/vdev-1", "0000:00:01.00",
    NULL,
};

/* The canonical form of dom0's sysfs and libxl, and back. */
static void test_addr_format(void)
{
    static const struct {
        XenPciAddr a;
        const char *text;
    } cases[] = {
        { { 0, 0, 4, 0 }, "0000:00:04.0" },
        { { 0xffff, 0xff, 0x1f, 7 }, "ffff:ff:1f.7" },
        { { 1, 0x0a, 0x10, 3 }, "0001:0a:10.3" },
    };
    char buf[XEN_PCI_ADDR_STRLEN];
    XenPciAddr back;
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpstr(xen_pci_addr_format(&cases[i].a, buf), ==,
                        cases[i].text);
        g_assert_true(xen_pci_addr_parse(buf, &back));
        g_assert_true(xen_pci_addr_equal(&back, &cases[i].a));
    }
    g_assert_cmphex(xen_pci_addr_sbdf(&cases[2].a), ==, 0x10a83);
}

static void test_addr_parse(void)
{
    static const struct {
        const char *text;
        bool ok;
        XenPciAddr a;
    } cases[] = {
        { "0000:00:03.0", true, { 0, 0, 3, 0 } },
        { "0000:00:00.00", true, { 0, 0, 0, 0 } },
        { "0001:ff:1f.7", true, { 1, 0xff, 0x1f, 7 } },
        { "ffff:0a:1F.07", true, { 0xffff, 0x0a, 0x1f, 7 } },
        { "0000:00:20.0", false },      /* device > 31 */
        { "0000:00:03.8", false },      /* function > 7 */
        { "0000:100:03.0", false },     /* bus > 255 */
        { "10000:00:03.0", false },     /* domain > 0xffff */
        { "0000:00:03.0 ", false },
        { "0000:00:03.0x", false },
        { "0000:00:03", false },
        /* what xl and pciback also take: no domain, short fields */
        { "00:04.0", true, { 0, 0, 4, 0 } },
        { "0:0:4.0", true, { 0, 0, 4, 0 } },
        { "3:1f.7", true, { 0, 3, 0x1f, 7 } },
        { "00:04", false },
        { "04.0", false },
        { "0:0:0:4.0", false },
        { "0:0.4:0", false },
        { "0:0:4.0.1", false },
        { "0000:00.03.0", false },
        { "0000::03.0", false },
        { "", false },
        { "g000:00:03.0", false },
        { "+000:00:03.0", false },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        XenPciAddr a = { 0xeeee, 0xee, 0xee, 0xee };
        bool ok = xen_pci_addr_parse(cases[i].text, &a);

        g_assert_cmpint(ok, ==, cases[i].ok);
        if (ok) {
            g_assert_cmpuint(a.domain, ==, cases[i].a.domain);
            g_assert_cmpuint(a.bus, ==, cases[i].a.bus);
            g_assert_cmpuint(a.dev, ==, cases[i].a.dev);
            g_assert_cmpuint(a.func, ==, cases[i].a.func);
        } else {
            g_assert_cmpuint(a.domain, ==, 0xeeee);
        }
    }
}

static void test_found(void)
{
    Store s = { .kv = two_funcs };
    const XenPciAddr first = { 0, 0, 3, 0 }, second = { 0, 0, 5, 0 };
    XenPciAddr l;
    GError *err = NULL;

    g_assert_true(xen_pci_stubdom_local_addr(store_read, &s, &first, &l,
                                             &err));
    g_assert_no_error(err);
    g_assert_cmpuint(l.bus, ==, 0);
    g_assert_cmpuint(l.dev, ==, 0);
    g_assert_true(xen_pci_stubdom_local_addr(store_read, &s, &second, &l,
                                             &err));
    g_assert_cmpuint(l.dev, ==, 1);
    g_assert_cmpuint(l.func, ==, 0);
}

/* A slot pciback is tearing down has no dev-N: skipped, not an error. */
static void test_gap(void)
{
    static const char *const kv[] = {
        "device/pci/0/backend", BE,
        BE "/num_devs", "2",
        BE "/dev-1", "0000:00:05.0",
        BE "/vdev-1", "0000:00:01.00",
        NULL,
    };
    Store s = { .kv = kv };
    const XenPciAddr h = { 0, 0, 5, 0 };
    XenPciAddr l;

    g_assert_true(xen_pci_stubdom_local_addr(store_read, &s, &h, &l, NULL));
    g_assert_cmpuint(l.dev, ==, 1);
}

static void expect_error(const char *const *kv, const XenPciAddr *h,
                         const char *words)
{
    Store s = { .kv = kv };
    XenPciAddr l = { 0xeeee };
    g_autoptr(GError) err = NULL;

    g_assert_false(xen_pci_stubdom_local_addr(store_read, &s, h, &l, &err));
    g_assert_nonnull(err);
    if (!strstr(err->message, words)) {
        g_printerr("message '%s' lacks '%s'\n", err->message, words);
        g_assert_not_reached();
    }
    /* bounded: never more than num_devs' limit of reads */
    g_assert_cmpuint(s.reads, <=, 2 + 2 * XEN_PCI_STUBDOM_MAX_DEVS);
}

static void test_errors(void)
{
    static const char *const none[] = { NULL };
    static const char *const rel[] = {
        "device/pci/0/backend", "backend/pci/3/0", NULL,
    };
    static const char *const dots[] = {
        "device/pci/0/backend", "/local/domain/0/../0/backend", NULL,
    };
    static const char *const nonum[] = {
        "device/pci/0/backend", BE, NULL,
    };
    static const char *const bignum[] = {
        "device/pci/0/backend", BE, BE "/num_devs", "257", NULL,
    };
    static const char *const badnum[] = {
        "device/pci/0/backend", BE, BE "/num_devs", "1x", NULL,
    };
    static const char *const novdev[] = {
        "device/pci/0/backend", BE, BE "/num_devs", "1",
        BE "/dev-0", "0000:00:03.0", NULL,
    };
    static const char *const badvdev[] = {
        "device/pci/0/backend", BE, BE "/num_devs", "1",
        BE "/dev-0", "0000:00:03.0", BE "/vdev-0", "0000:00:40.00", NULL,
    };
    const XenPciAddr h = { 0, 0, 3, 0 }, other = { 0, 0, 4, 0 };

    expect_error(none, &h, "no PCI frontend in this domain");
    expect_error(rel, &h, "bad backend path");
    expect_error(dots, &h, "bad backend path");
    expect_error(nonum, &h, BE "/num_devs: missing");
    expect_error(bignum, &h, "bad device count '257'");
    expect_error(badnum, &h, "bad device count '1x'");
    expect_error(novdev, &h, BE "/vdev-0: missing");
    expect_error(badvdev, &h, "bad address '0000:00:40.00'");
    expect_error(two_funcs, &other, "0000:00:04.0 is not among the 2 "
                 "functions of PCI backend " BE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stubdom/addr-parse", test_addr_parse);
    g_test_add_func("/stubdom/addr-format", test_addr_format);
    g_test_add_func("/stubdom/found", test_found);
    g_test_add_func("/stubdom/gap", test_gap);
    g_test_add_func("/stubdom/errors", test_errors);
    return g_test_run();
}
