/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pciback's per-function policy from the texts of its driver attributes
 * (see xen-pci-pciback.h).
 */
#include <string.h>
#include "xen-pci-pciback.h"

#define XEN_PCIBACK_CFG_SIZE 4096

static void xen_pciback_bad_line(GError **errp, const char *file, unsigned n,
                                 const char *line, const char *what)
{
    g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "pciback's %s, line %u ('%s'): %s", file, n, line, what);
}

/* One list file: whether it names @addr. */
static bool xen_pciback_listed(const char *text, const char *file,
                               const XenPciAddr *addr, bool *listed,
                               GError **errp)
{
    g_auto(GStrv) lines = NULL;
    unsigned i;

    *listed = false;
    if (!text) {
        return true;
    }
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        XenPciAddr a;

        if (!lines[i][0]) {
            continue;
        }
        if (!xen_pci_addr_parse(lines[i], &a)) {
            xen_pciback_bad_line(errp, file, i + 1, lines[i],
                                 "not a PCI address");
            return false;
        }
        *listed |= xen_pci_addr_equal(&a, addr);
    }
    return true;
}

/*
 * @n hexadecimal fields of 1 to 8 digits, separated by the characters of
 * @seps, and nothing after: the whole of @s.
 */
static bool xen_pciback_hex_fields(const char *s, const char *seps,
                                   uint32_t *v, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        unsigned digits = 0;

        v[i] = 0;
        while (g_ascii_isxdigit(*s) && digits < 8) {
            v[i] = (v[i] << 4) | g_ascii_xdigit_value(*s++);
            digits++;
        }
        if (!digits || *s != (i + 1 < n ? seps[i] : '\0')) {
            return false;
        }
        s += i + 1 < n;
    }
    return true;
}

typedef struct XenPcibackQuirkScan {
    const XenPciAddr *addr;
    const XenPcibackIds *ids;
    enum { QS_NONE, QS_HEADER, QS_FIELDS } state;
    bool match;          /* the current section is the function's */
    bool found;          /* a section matched already */
    GString *quirks;
} XenPcibackQuirkScan;

static bool xen_pciback_quirk_header(XenPcibackQuirkScan *qs,
                                     const char *line)
{
    uint32_t v[3];

    if (!xen_pciback_hex_fields(line, ":.", v, 3) || v[0] > 0xff ||
        v[1] > 0x1f || v[2] > 7) {
        return false;
    }
    qs->match = v[0] == qs->addr->bus && v[1] == qs->addr->dev &&
                v[2] == qs->addr->func;
    qs->state = QS_HEADER;
    return true;
}

static bool xen_pciback_quirk_ids(XenPcibackQuirkScan *qs, const char *line,
                                  const char **why)
{
    uint32_t v[4];

    if (qs->state != QS_HEADER) {
        *why = "an identity line outside a function's section";
        return false;
    }
    if (!xen_pciback_hex_fields(line, ":::", v, 4) || v[0] > 0xffff ||
        v[1] > 0xffff || v[2] > 0xffff || v[3] > 0xffff) {
        *why = "not VVVV:DDDD:SSSS:SSSS";
        return false;
    }
    qs->match = qs->match && v[0] == qs->ids->vendor &&
                v[1] == qs->ids->device && v[2] == qs->ids->subvendor &&
                v[3] == qs->ids->subdevice;
    if (qs->match && qs->found) {
        *why = "a second section matches the function (the listing has no "
               "PCI segment)";
        return false;
    }
    qs->found |= qs->match;
    qs->state = QS_FIELDS;
    return true;
}

static bool xen_pciback_quirk_field(XenPcibackQuirkScan *qs, const char *line,
                                    const char **why)
{
    uint32_t v[3];

    if (qs->state != QS_FIELDS) {
        *why = "a field line outside a function's section";
        return false;
    }
    if (!xen_pciback_hex_fields(line, "::", v, 3)) {
        *why = "not OFFSET:SIZE:MASK";
        return false;
    }
    if ((v[1] != 1 && v[1] != 2 && v[1] != 4) ||
        v[0] > XEN_PCIBACK_CFG_SIZE - v[1]) {
        *why = "size not 1, 2 or 4, or beyond the config space";
        return false;
    }
    if (qs->match && v[2]) {
        g_string_append_printf(qs->quirks, "%s0x%x:%u:0x%x",
                               qs->quirks->len ? "," : "", v[0], v[1], v[2]);
    }
    return true;
}

/*
 * The quirks file: the fields with a mask of @addr's section, if any.  A
 * listing that does not end with a newline was cut by Linux (one page):
 * its last, partial line is left out.
 */
static bool xen_pciback_quirks(const char *text, const XenPciAddr *addr,
                               const XenPcibackIds *ids,
                               XenPcibackPolicy *out, GError **errp)
{
    g_autoptr(GString) quirks = g_string_new("");
    XenPcibackQuirkScan qs = { .addr = addr, .ids = ids, .quirks = quirks };
    g_auto(GStrv) lines = NULL;
    bool cut;
    unsigned i;

    if (!text || !text[0]) {
        return true;
    }
    cut = !g_str_has_suffix(text, "\n");
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i] && (!cut || lines[i + 1]); i++) {
        const char *l = lines[i], *why = "not a section, identity or field";
        bool ok;

        if (!l[0]) {
            continue;
        }
        if (l[0] != '\t') {
            ok = xen_pciback_quirk_header(&qs, l);
        } else if (l[1] != '\t') {
            ok = xen_pciback_quirk_ids(&qs, l + 1, &why);
        } else {
            ok = xen_pciback_quirk_field(&qs, l + 2, &why);
        }
        if (!ok) {
            xen_pciback_bad_line(errp, "quirks", i + 1, l, why);
            return false;
        }
    }
    out->quirks_cut = cut && (!qs.found || qs.match);
    if (quirks->len) {
        out->quirks = g_string_free(g_steal_pointer(&quirks), false);
    }
    return true;
}

bool xen_pciback_policy(const XenPcibackFiles *files, const XenPciAddr *addr,
                        const XenPcibackIds *ids, XenPcibackPolicy *out,
                        GError **errp)
{
    *out = (XenPcibackPolicy) { 0 };
    if (!xen_pciback_listed(files->permissive, "permissive", addr,
                            &out->permissive, errp) ||
        !xen_pciback_listed(files->allow_interrupt_control,
                            "allow_interrupt_control", addr,
                            &out->allow_interrupt_control, errp) ||
        !xen_pciback_quirks(files->quirks, addr, ids, out, errp)) {
        xen_pciback_policy_clear(out);
        return false;
    }
    return true;
}

void xen_pciback_policy_clear(XenPcibackPolicy *p)
{
    g_clear_pointer(&p->quirks, g_free);
    p->permissive = p->allow_interrupt_control = p->quirks_cut = false;
}
