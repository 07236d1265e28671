/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Granting a domain a host function, through the recording hypercall ops:
 * what is granted, and that a grant failing at any step leaves nothing
 * granted (every step that succeeded is undone, as libxl undoes a failed
 * PCI add), and a function another domain holds is refused.
 */
#include <string.h>
#include "xen-pci-grant.h"

static const XpfBar bars[XPF_NUM_BARS + 1] = {
    { .addr = 0xfebc0000, .size = 0x20000 },
    { .addr = 0xc000, .size = 0x40, .io = true },
};

static const XenPciGrantTarget target = {
    .name = "0000:00:03.0", .sbdf = 0x18, .bars = bars, .gsi = 11,
};

/* The grant's hypercalls in order, pirq 100 the recorder's first. */
static const char *const grant_steps[] = {
    "claim sbdf=0x18 domid=3",
    "assign_device sbdf=0x18",
    "iomem_permission mfn=0xfebc0 nr=32 allow=1",
    "ioport_permission port=0xc000 nr=64 allow=1",
    "map_pirq_gsi gsi=11 pirq=100",
    "irq_permission pirq=100 allow=1",
};

/* What undoes each of them. */
static const char *const undo_steps[] = {
    "release sbdf=0x18 domid=3",
    "deassign_device sbdf=0x18",
    "iomem_permission mfn=0xfebc0 nr=32 allow=0",
    "ioport_permission port=0xc000 nr=64 allow=0",
    "unmap_pirq pirq=100",
    "irq_permission pirq=100 allow=0",
};

/* The recorder's fail_mask bit of each grant step. */
static const unsigned step_op[] = {
    XEN_PCI_HV_CLAIM, XEN_PCI_HV_ASSIGN, XEN_PCI_HV_IOMEM_PERM,
    XEN_PCI_HV_IOPORT_PERM,
    XEN_PCI_HV_MAP_PIRQ_GSI, XEN_PCI_HV_IRQ_PERM,
};

static gchar **log_lines(XenPciHv *hv)
{
    g_autofree char *text = g_strdup(hv->log->str);

    g_strchomp(text);
    return g_strsplit(text, "\n", -1);
}

static void test_grant_revoke(void)
{
    XenPciHv hv;
    XenPciGrants g = XEN_PCI_GRANTS_NONE;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned i, n = G_N_ELEMENTS(grant_steps);

    xen_pci_hv_init_recording(&hv);
    hv.domid = 3;
    g_assert_true(xen_pci_grant(&hv, &target, &g, &err));
    g_assert_no_error(err);
    lines = log_lines(&hv);
    g_assert_cmpuint(g_strv_length(lines), ==, n);
    for (i = 0; i < n; i++) {
        g_assert_cmpstr(lines[i], ==, grant_steps[i]);
    }
    g_string_truncate(hv.log, 0);
    xen_pci_revoke(&hv, &target, &g);
    g_strfreev(lines);
    lines = log_lines(&hv);
    /* Undone in reverse order: the pirq's permission first. */
    g_assert_cmpuint(g_strv_length(lines), ==, n);
    for (i = 0; i < n; i++) {
        g_assert_cmpstr(lines[i], ==, undo_steps[n - 1 - i]);
    }
    g_assert_false(g.claimed);
    g_assert_false(g.assigned);
    g_assert_cmpint(g.pirq, ==, -1);
    xen_pci_hv_cleanup(&hv);
}

/* Step @data fails: each earlier step is undone, nothing stays granted. */
static void test_grant_fails_at(gconstpointer data)
{
    unsigned fail = GPOINTER_TO_UINT(data), i;
    XenPciHv hv;
    XenPciGrants g = XEN_PCI_GRANTS_NONE;
    g_autoptr(GError) err = NULL;
    g_autofree char *failed = NULL;

    xen_pci_hv_init_recording(&hv);
    hv.domid = 3;
    hv.fail_mask = 1ull << step_op[fail];
    g_assert_false(xen_pci_grant(&hv, &target, &g, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, target.name));
    failed = g_strdup_printf("%s = -1\n", grant_steps[fail]);
    g_assert_nonnull(strstr(hv.log->str, failed));
    for (i = 0; i < fail; i++) {
        g_autofree char *undo = g_strdup_printf("%s\n", undo_steps[i]);

        if (!strstr(hv.log->str, undo)) {
            g_test_message("after a failed %s, '%s' is missing from: %s",
                           grant_steps[fail], undo_steps[i], hv.log->str);
            g_test_fail();
        }
    }
    g_assert_false(g.claimed);
    g_assert_false(g.assigned);
    g_assert_cmpuint(g.bars, ==, 0);
    g_assert_cmpint(g.pirq, ==, -1);
    g_assert_false(g.irq_allowed);
    /* A revoke after the failed grant has nothing left to undo. */
    g_string_truncate(hv.log, 0);
    xen_pci_revoke(&hv, &target, &g);
    g_assert_cmpstr(hv.log->str, ==, "");
    xen_pci_hv_cleanup(&hv);
}

/*
 * A function libxl records as in use by another live domain is refused
 * before anything else is done, naming that domain (as xl pci-attach
 * refuses it: "not assignable").
 */
static void test_grant_held(void)
{
    XenPciHv hv;
    XenPciGrants g = XEN_PCI_GRANTS_NONE;
    g_autoptr(GError) err = NULL;

    xen_pci_hv_init_recording(&hv);
    hv.domid = 3;
    hv.holder = 7;
    g_assert_false(xen_pci_grant(&hv, &target, &g, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message,
                            "0000:00:03.0 is in use by domain 7"));
    g_assert_nonnull(strstr(err->message, "/libxl/pci/0000-00-03-0/domid"));
    g_assert_cmpstr(hv.log->str, ==, "claim sbdf=0x18 held by 7\n");
    g_assert_false(g.claimed);
    xen_pci_hv_cleanup(&hv);
}

/*
 * Two functions of the domain on one GSI (as the bed's e1000 and NVMe,
 * slots 3 and 7, share GSI 23): the GSI is one pirq of the domain, so the
 * second grant maps and allows nothing more, and the first revoke must not
 * unmap it or take the permission back (in the bed the NVMe, still in the
 * guest, lost its INTx when the e1000 was removed before it); the last
 * revoke does both.
 */
static void test_grant_shared_gsi(void)
{
    static const XenPciGrantTarget other = {
        .name = "0000:00:07.0", .sbdf = 0x38, .bars = bars, .gsi = 11,
    };
    XenPciHv hv1, hv2;
    XenPciGrants g1 = XEN_PCI_GRANTS_NONE, g2 = XEN_PCI_GRANTS_NONE;
    g_autoptr(GError) err = NULL;

    xen_pci_hv_init_recording(&hv1);
    xen_pci_hv_init_recording(&hv2);
    hv1.domid = hv2.domid = 3;
    g_assert_true(xen_pci_grant(&hv1, &target, &g1, &err));
    g_assert_true(xen_pci_grant(&hv2, &other, &g2, &err));
    g_assert_no_error(err);
    g_assert_null(strstr(hv2.log->str, "map_pirq_gsi"));
    g_assert_null(strstr(hv2.log->str, "irq_permission"));
    g_assert_cmpint(g2.pirq, ==, g1.pirq);

    g_string_truncate(hv1.log, 0);
    xen_pci_revoke(&hv1, &target, &g1);
    g_assert_null(strstr(hv1.log->str, "unmap_pirq"));
    g_assert_null(strstr(hv1.log->str, "irq_permission"));
    g_assert_nonnull(strstr(hv1.log->str, "deassign_device sbdf=0x18"));

    g_string_truncate(hv2.log, 0);
    xen_pci_revoke(&hv2, &other, &g2);
    g_assert_nonnull(strstr(hv2.log->str,
                            "irq_permission pirq=100 allow=0\n"
                            "unmap_pirq pirq=100\n"));
    xen_pci_hv_cleanup(&hv1);
    xen_pci_hv_cleanup(&hv2);
}

/* Another domain's grant of the same GSI is its own pirq. */
static void test_grant_gsi_other_domain(void)
{
    XenPciHv hv1, hv2;
    XenPciGrants g1 = XEN_PCI_GRANTS_NONE, g2 = XEN_PCI_GRANTS_NONE;
    g_autoptr(GError) err = NULL;

    xen_pci_hv_init_recording(&hv1);
    xen_pci_hv_init_recording(&hv2);
    hv1.domid = 3;
    hv2.domid = 4;
    g_assert_true(xen_pci_grant(&hv1, &target, &g1, &err));
    g_assert_true(xen_pci_grant(&hv2, &target, &g2, &err));
    g_assert_nonnull(strstr(hv2.log->str, "map_pirq_gsi gsi=11"));
    g_string_truncate(hv1.log, 0);
    xen_pci_revoke(&hv1, &target, &g1);
    g_assert_nonnull(strstr(hv1.log->str, "unmap_pirq pirq=100"));
    xen_pci_revoke(&hv2, &target, &g2);
    xen_pci_hv_cleanup(&hv1);
    xen_pci_hv_cleanup(&hv2);
}

/*
 * The expansion ROM is granted like a BAR: libxl gives a domain every
 * range of the function's sysfs resource file, the ROM's line included,
 * so that a PV guest can map the ROM it enables.
 */
static void test_grant_rom(void)
{
    static const XpfBar rom_bars[XPF_NUM_BARS + 1] = {
        { .addr = 0xfd000000, .size = 0x1000000 },
        [XPF_ROM_SLOT] = { .addr = 0xfebe0000, .size = 0x8000 },
    };
    static const XenPciGrantTarget t = {
        .name = "0000:00:08.0", .sbdf = 0x40, .bars = rom_bars,
    };
    static const char expect[] =
        "claim sbdf=0x40 domid=3\n"
        "assign_device sbdf=0x40\n"
        "iomem_permission mfn=0xfd000 nr=4096 allow=1\n"
        "iomem_permission mfn=0xfebe0 nr=8 allow=1\n";
    static const char undo[] =
        "iomem_permission mfn=0xfebe0 nr=8 allow=0\n"
        "iomem_permission mfn=0xfd000 nr=4096 allow=0\n"
        "deassign_device sbdf=0x40\n"
        "release sbdf=0x40 domid=3\n";
    XenPciHv hv;
    XenPciGrants g = XEN_PCI_GRANTS_NONE;
    g_autoptr(GError) err = NULL;

    xen_pci_hv_init_recording(&hv);
    hv.domid = 3;
    g_assert_true(xen_pci_grant(&hv, &t, &g, &err));
    g_assert_cmpstr(hv.log->str, ==, expect);
    g_string_truncate(hv.log, 0);
    xen_pci_revoke(&hv, &t, &g);
    g_assert_cmpstr(hv.log->str, ==, undo);
    xen_pci_hv_cleanup(&hv);
}

int main(int argc, char **argv)
{
    static const char *const names[] = {
        "claim", "assign", "iomem", "ioport", "map-gsi", "irq-permission",
    };
    unsigned i;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/grant/grant-revoke", test_grant_revoke);
    g_test_add_func("/grant/held-by-another-domain", test_grant_held);
    g_test_add_func("/grant/shared-gsi", test_grant_shared_gsi);
    g_test_add_func("/grant/expansion-rom", test_grant_rom);
    g_test_add_func("/grant/gsi-of-another-domain",
                    test_grant_gsi_other_domain);
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_strdup_printf("/grant/fails-at/%s",
                                                names[i]);

        g_test_add_data_func(path, GUINT_TO_POINTER(i), test_grant_fails_at);
    }
    return g_test_run();
}
