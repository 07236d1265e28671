/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI register-filter engine: parsers for host-side text (sysfs
 * resource files, quirk specifications).  Host input is checked and any
 * problem reported through GError; nothing is changed on failure.
 */
#include <stdlib.h>
#include <string.h>
#include "xpf-internal.h"

/* Linux IORESOURCE_* flags as sysfs prints them. */
#define IORES_IO        0x00000100ull
#define IORES_MEM       0x00000200ull
#define IORES_PREFETCH  0x00002000ull
#define IORES_MEM_64    0x00100000ull

/* Hexadecimal, "0x" optional, at most @max; no sign, no blanks inside. */
static bool parse_hex(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        int digit = g_ascii_xdigit_value(*s);

        if (digit < 0 || v > (max - digit) / 16) {
            return false;
        }
        v = v * 16 + digit;
    }
    *out = v;
    return true;
}

bool xpf_parse_sysfs_resource(const char *text, XpfBar bars[XPF_NUM_BARS + 1],
                              GError **errp)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    XpfBar out[XPF_NUM_BARS + 1] = { 0 };
    unsigned i;

    for (i = 0; i <= XPF_NUM_BARS; i++) {
        g_auto(GStrv) f = NULL;
        uint64_t start, end, flags;

        if (!lines[i] || !*lines[i]) {
            g_set_error(errp, XPF_ERROR, 0, "resource: %u lines, expected "
                        "at least %u", i, XPF_NUM_BARS + 1);
            return false;
        }
        f = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
        if (g_strv_length(f) != 3 || !parse_hex(f[0], UINT64_MAX, &start) ||
            !parse_hex(f[1], UINT64_MAX, &end) ||
            !parse_hex(f[2], UINT64_MAX, &flags)) {
            g_set_error(errp, XPF_ERROR, 0, "resource line %u: expected "
                        "'start end flags' in hex", i);
            return false;
        }
        if (!flags && !start && !end) {
            continue;
        }
        /* end - start + 1 must not wrap to 0 (a "not implemented" size). */
        if (end < start || end - start == UINT64_MAX ||
            !(flags & (IORES_IO | IORES_MEM))) {
            g_set_error(errp, XPF_ERROR, 0, "resource line %u: bad range or "
                        "flags", i);
            return false;
        }
        out[i] = (XpfBar) {
            .addr = start, .size = end - start + 1,
            .io = flags & IORES_IO,
            .mem64 = i < XPF_NUM_BARS && (flags & IORES_MEM_64),
            .prefetch = flags & IORES_PREFETCH,
        };
    }
    memcpy(bars, out, sizeof(out));
    return true;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

void xpf_virtfn_view(uint8_t *cfg, uint16_t vendor, uint16_t device,
                     const XpfBar bars[XPF_NUM_BARS])
{
    unsigned i;

    cfg[0x00] = vendor;
    cfg[0x01] = vendor >> 8;
    cfg[0x02] = device;
    cfg[0x03] = device >> 8;
    cfg[0x3d] = 0;
    for (i = 0; i < XPF_NUM_BARS; i++) {
        const XpfBar *b = &bars[i];
        uint32_t type = b->io ? 0x1 : (b->mem64 ? 0x4 : 0) |
                                      (b->prefetch ? 0x8 : 0);

        put_le32(cfg + 0x10 + 4 * i,
                 b->size ? (uint32_t)b->addr | type : 0);
        if (b->size && b->mem64 && i + 1 < XPF_NUM_BARS) {
            put_le32(cfg + 0x10 + 4 * ++i, b->addr >> 32);
        }
    }
}

typedef struct XpfQuirk {
    unsigned off, size;
    uint32_t mask;
    const char *spec;    /* as the list gave it */
} XpfQuirk;

/* "OFF:SIZE:MASK", blanks around the fields ignored. */
static bool parse_quirk(const char *spec, XpfQuirk *q)
{
    g_auto(GStrv) f = g_strsplit(spec, ":", -1);
    uint64_t off, size, mask;

    if (g_strv_length(f) != 3 ||
        !parse_hex(g_strstrip(f[0]), XPF_CFG_SIZE - 1, &off) ||
        !parse_hex(g_strstrip(f[1]), 4, &size) ||
        !parse_hex(g_strstrip(f[2]), UINT32_MAX, &mask)) {
        return false;
    }
    *q = (XpfQuirk) { .off = off, .size = size, .mask = mask, .spec = spec };
    return true;
}

static void quirk_syntax_error(GError **errp, const char *spec)
{
    g_set_error(errp, XPF_ERROR, 0, "quirk '%s': expected OFFSET:SIZE:MASK "
                "in hexadecimal, e.g. 0x48:4:0xffffffff", spec);
}

bool xpf_add_quirk_str(XpfDevice *d, const char *spec, GError **errp)
{
    XpfQuirk q;

    if (!parse_quirk(spec, &q)) {
        quirk_syntax_error(errp, spec);
        return false;
    }
    return xpf_add_quirk(d, q.off, q.size, q.mask, errp);
}

/* The quirks installed now, by offset. */
static GArray *installed_quirks(const XpfDevice *d)
{
    GArray *a = g_array_new(false, false, sizeof(XpfQuirk));
    unsigned i;

    for (i = 0; i < d->nregs; i++) {
        const XpfReg *r = &d->regs[i];
        XpfQuirk q = {
            .off = r->d.offset, .size = r->d.size,
            .mask = r->width & ~r->d.ro,
        };

        if (r->quirk) {
            g_array_append_val(a, q);
        }
    }
    return a;
}

static void remove_quirks(XpfDevice *d, const GArray *a, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        xpf_remove_quirk(d, g_array_index(a, XpfQuirk, i).off, NULL);
    }
}

static void add_quirks(XpfDevice *d, const GArray *a)
{
    unsigned i;

    for (i = 0; i < a->len; i++) {
        const XpfQuirk *q = &g_array_index(a, XpfQuirk, i);
        G_GNUC_UNUSED bool ok = xpf_add_quirk(d, q->off, q->size, q->mask,
                                              NULL);

        /* They were installed in this very layout a moment ago. */
        g_assert(ok);
    }
}

bool xpf_set_quirks(XpfDevice *d, const char *list, GError **errp)
{
    g_auto(GStrv) specs = g_strsplit_set(list ? list : "", ",;", -1);
    g_autoptr(GArray) want = g_array_new(false, false, sizeof(XpfQuirk));
    g_autoptr(GArray) old = installed_quirks(d);
    unsigned i;

    /* Parse the whole list before anything changes. */
    for (i = 0; specs[i]; i++) {
        const char *spec = g_strstrip(specs[i]);
        XpfQuirk q;

        if (!*spec) {
            continue;
        }
        if (!parse_quirk(spec, &q)) {
            quirk_syntax_error(errp, spec);
            return false;
        }
        g_array_append_val(want, q);
    }

    remove_quirks(d, old, old->len);
    for (i = 0; i < want->len; i++) {
        const XpfQuirk *q = &g_array_index(want, XpfQuirk, i);
        g_autoptr(GError) local = NULL;

        if (!xpf_add_quirk(d, q->off, q->size, q->mask, &local)) {
            remove_quirks(d, want, i);
            add_quirks(d, old);
            g_set_error(errp, XPF_ERROR, 0, "quirk '%s' refused: %s",
                        q->spec, local->message);
            return false;
        }
    }
    return true;
}

char *xpf_get_quirks(const XpfDevice *d)
{
    g_autoptr(GArray) a = installed_quirks(d);
    GString *s = g_string_new("");
    unsigned i;

    for (i = 0; i < a->len; i++) {
        const XpfQuirk *q = &g_array_index(a, XpfQuirk, i);

        g_string_append_printf(s, "%s0x%x:%x:0x%x", i ? "," : "", q->off,
                               q->size, q->mask);
    }
    return g_string_free(s, false);
}
