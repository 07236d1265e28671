/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pciback's per-function policy read back from its driver attributes.  The
 * texts are in the forms Linux's xen-pciback (pci_stub.c, 6.1 and 6.12)
 * prints: permissive and allow_interrupt_control one pci_name() per line;
 * quirks "%02x:%02x.%01x\n\t%04x:%04x:%04x:%04x\n" per function, then
 * "\t\t%08x:%01x:%08x\n" (offset, size, mask) per config field, pciback's
 * own fields with mask 0 (they have none), a quirk with the mask written
 * to quirks as "DDDD:BB:DD.F-OFF:SIZE:MASK".
 */
#include <string.h>
#include "xen-pci-pciback.h"

static const XenPciAddr nic = { 0, 0x03, 0x00, 0 };
static const XenPcibackIds nic_ids = { 0x8086, 0x100e, 0x1af4, 0x1100 };

/* pciback's own fields of a function (a part of them), mask 0. */
#define OWN_FIELDS \
    "\t\t00000000:2:00000000\n" \
    "\t\t00000002:2:00000000\n" \
    "\t\t00000004:2:00000000\n" \
    "\t\t00000010:4:00000000\n"

/* Two functions: the edu at 00:04.0 with a quirk, the NIC with two. */
static const char quirks_two[] =
    "00:04.0\n\t1234:11e8:1af4:1100\n" OWN_FIELDS
    "\t\t00000080:4:ffffffff\n"
    "03:00.0\n\t8086:100e:1af4:1100\n" OWN_FIELDS
    "\t\t00000040:2:0000ffff\n"
    "\t\t000000e0:1:0000000f\n";

static void policy_ok(const XenPcibackFiles *f, const XenPciAddr *a,
                      const XenPcibackIds *ids, XenPcibackPolicy *p)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(xen_pciback_policy(f, a, ids, p, &err));
    g_assert_no_error(err);
}

/* No pciback files (pciback not loaded; Linux < 5.6: no allow_...). */
static void test_absent(void)
{
    XenPcibackFiles f = { 0 };
    XenPcibackPolicy p;

    policy_ok(&f, &nic, &nic_ids, &p);
    g_assert_false(p.permissive);
    g_assert_false(p.allow_interrupt_control);
    g_assert_null(p.quirks);
    g_assert_false(p.quirks_cut);
}

/* A list names the function or not; other functions do not count. */
static void test_lists(void)
{
    XenPcibackFiles f = {
        .permissive = "0000:00:04.0\n0000:03:00.0\n",
        .allow_interrupt_control = "0000:00:04.0\n",
        .quirks = "",
    };
    XenPcibackPolicy p;

    policy_ok(&f, &nic, &nic_ids, &p);
    g_assert_true(p.permissive);
    g_assert_false(p.allow_interrupt_control);
    g_assert_null(p.quirks);
    f.permissive = "";
    f.allow_interrupt_control = "0000:03:00.0\n";
    policy_ok(&f, &nic, &nic_ids, &p);
    g_assert_false(p.permissive);
    g_assert_true(p.allow_interrupt_control);
}

/* Only the function's own fields with a mask are its quirks. */
static void test_quirks(void)
{
    static const XenPciAddr edu = { 0, 0, 4, 0 };
    static const XenPcibackIds edu_ids = { 0x1234, 0x11e8, 0x1af4, 0x1100 };
    XenPcibackFiles f = { .quirks = quirks_two };
    XenPcibackPolicy p;

    policy_ok(&f, &nic, &nic_ids, &p);
    g_assert_cmpstr(p.quirks, ==, "0x40:2:0xffff,0xe0:1:0xf");
    g_assert_false(p.quirks_cut);
    xen_pciback_policy_clear(&p);
    policy_ok(&f, &edu, &edu_ids, &p);
    g_assert_cmpstr(p.quirks, ==, "0x80:4:0xffffffff");
    xen_pciback_policy_clear(&p);
}

/*
 * The listing has no PCI segment: a section with the function's bus,
 * device and function but another identity is another segment's.
 */
static void test_quirks_other_segment(void)
{
    static const XenPcibackIds other = { 0x8086, 0x10d3, 0x8086, 0 };
    static const XenPciAddr seg1 = { 1, 0x03, 0x00, 0 };
    XenPcibackFiles f = { .quirks = quirks_two };
    XenPcibackPolicy p;

    policy_ok(&f, &nic, &other, &p);
    g_assert_null(p.quirks);
    policy_ok(&f, &seg1, &nic_ids, &p);
    g_assert_cmpstr(p.quirks, ==, "0x40:2:0xffff,0xe0:1:0xf");
    xen_pciback_policy_clear(&p);
}

/*
 * Linux cuts the listing at one page, in the middle of a line: the part
 * line is left out; quirks_cut when the function's section may be short.
 */
static void test_quirks_cut(void)
{
    static const XenPciAddr edu = { 0, 0, 4, 0 };
    static const XenPcibackIds edu_ids = { 0x1234, 0x11e8, 0x1af4, 0x1100 };
    g_autofree char *cut = g_strndup(quirks_two, strlen(quirks_two) - 12);
    g_autofree char *before = NULL;
    XenPcibackFiles f = { .quirks = cut };
    XenPcibackPolicy p;

    /* cut in the NIC's last line: its first quirk kept, flagged */
    policy_ok(&f, &nic, &nic_ids, &p);
    g_assert_cmpstr(p.quirks, ==, "0x40:2:0xffff");
    g_assert_true(p.quirks_cut);
    xen_pciback_policy_clear(&p);
    /* the edu's section is whole: not flagged */
    policy_ok(&f, &edu, &edu_ids, &p);
    g_assert_cmpstr(p.quirks, ==, "0x80:4:0xffffffff");
    g_assert_false(p.quirks_cut);
    xen_pciback_policy_clear(&p);
    /* cut before the NIC's section: none found, flagged */
    before = g_strndup(quirks_two, strstr(quirks_two, "03:00.0") + 3 -
                                   quirks_two);
    f.quirks = before;
    policy_ok(&f, &nic, &nic_ids, &p);
    g_assert_null(p.quirks);
    g_assert_true(p.quirks_cut);
}

/*
 * What Linux 6.1's pciback printed in the bed (Debian 12 dom0, 2026-12-06,
 * tests/e2e pv-ours: the e1000 written to permissive and the quirk
 * 0000:00:03.0-60:2:ffff to quirks, four functions bound).
 */
static char *fixture(const char *name)
{
    g_autofree char *path = g_build_filename(XPF_FIXTURE_DIR, "..", "pciback",
                                             name, NULL);
    char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

static void test_linux_6_1(void)
{
    static const XenPcibackIds e1000e_ids = { 0x8086, 0x10d3, 0x8086, 0 };
    static const XenPciAddr e1000e = { 0, 1, 0, 0 };
    static const XenPciAddr e1000 = { 0, 0, 3, 0 };
    g_autofree char *perm = fixture("permissive-linux-6.1.txt");
    g_autofree char *quirks = fixture("quirks-linux-6.1.txt");
    XenPcibackFiles f = { .permissive = perm, .quirks = quirks };
    XenPcibackPolicy p;

    policy_ok(&f, &e1000, &(XenPcibackIds) { 0x8086, 0x100e, 0x1af4, 0x1100 },
              &p);
    g_assert_true(p.permissive);
    g_assert_cmpstr(p.quirks, ==, "0x60:2:0xffff");
    g_assert_false(p.quirks_cut);
    xen_pciback_policy_clear(&p);
    policy_ok(&f, &e1000e, &e1000e_ids, &p);
    g_assert_false(p.permissive);
    g_assert_null(p.quirks);
    g_assert_false(p.quirks_cut);
}

/* Anything else is host input in a wrong form: an error naming it. */
static void test_malformed(void)
{
    static const struct {
        XenPcibackFiles f;
        const char *msg;
    } cases[] = {
        { { .permissive = "0000:03:00.0\n03:00\n" },
          "pciback's permissive, line 2 ('03:00'): not a PCI address" },
        { { .allow_interrupt_control = "0000:03:00.0 x\n" },
          "pciback's allow_interrupt_control, line 1 ('0000:03:00.0 x'): "
          "not a PCI address" },
        { { .quirks = "\t\t00000040:2:0000ffff\n" },
          "pciback's quirks, line 1 ('\t\t00000040:2:0000ffff'): a field "
          "line outside a function's section" },
        { { .quirks = "03:00.0\n\t8086:100e:1af4:1100\n\t\t00000040:3:ff\n" },
          "pciback's quirks, line 3 ('\t\t00000040:3:ff'): size not 1, 2 "
          "or 4, or beyond the config space" },
        { { .quirks = "03:00.0\n\t8086:100e:1af4:1100\n\t\t00000ffe:4:ff\n" },
          "pciback's quirks, line 3 ('\t\t00000ffe:4:ff'): size not 1, 2 "
          "or 4, or beyond the config space" },
        { { .quirks = "03:00.0\n\t8086:100e\n" },
          "pciback's quirks, line 2 ('\t8086:100e'): not VVVV:DDDD:SSSS:SSSS" },
        { { .quirks = "03:00.9\n" },
          "pciback's quirks, line 1 ('03:00.9'): not a section, identity or "
          "field" },
        { { .quirks = "03:00.0\n\t8086:100e:1af4:1100\n"
                      "03:00.0\n\t8086:100e:1af4:1100\n" },
          "pciback's quirks, line 4 ('\t8086:100e:1af4:1100'): a second "
          "section matches the function (the listing has no PCI segment)" },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        XenPcibackPolicy p = { .permissive = true };

        g_assert_false(xen_pciback_policy(&cases[i].f, &nic, &nic_ids, &p,
                                          &err));
        g_assert_nonnull(err);
        g_assert_cmpstr(err->message, ==, cases[i].msg);
        g_assert_false(p.permissive);
        g_assert_null(p.quirks);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pciback/absent", test_absent);
    g_test_add_func("/pciback/lists", test_lists);
    g_test_add_func("/pciback/quirks", test_quirks);
    g_test_add_func("/pciback/quirks-other-segment",
                    test_quirks_other_segment);
    g_test_add_func("/pciback/quirks-cut", test_quirks_cut);
    g_test_add_func("/pciback/malformed", test_malformed);
    g_test_add_func("/pciback/linux-6.1", test_linux_6_1);
    return g_test_run();
}
