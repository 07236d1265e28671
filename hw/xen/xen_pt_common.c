/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers both passthrough paths share.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "xen_pt_common.h"

void xpt_log_guest_errorv(int64_t *last_ms, const char *who,
                          const char *fmt, va_list ap)
{
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    g_autofree char *msg = NULL;

    if (now - *last_ms < 1000) {
        return;
    }
    *last_ms = now;
    msg = g_strdup_vprintf(fmt, ap);
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %s\n", who, msg);
}

static void xpt_quirks_remove(XpfDevice *d, const char *list)
{
    g_auto(GStrv) specs = g_strsplit_set(list ? list : "", ",;", -1);
    unsigned i;

    for (i = 0; specs[i]; i++) {
        g_auto(GStrv) f = g_strsplit(g_strstrip(specs[i]), ":", 2);
        uint64_t off;

        if (f[0] && g_ascii_string_to_unsigned(f[0], 16, 0, 0xfff, &off,
                                               NULL)) {
            xpf_remove_quirk(d, off, NULL);
        }
    }
}

/* Add every quirk of @list, or none of them. */
static bool xpt_quirks_add(XpfDevice *d, const char *list, Error **errp)
{
    g_auto(GStrv) specs = g_strsplit_set(list ? list : "", ",;", -1);
    g_autoptr(GArray) added = g_array_new(false, false, sizeof(unsigned));
    unsigned i;

    for (i = 0; specs[i]; i++) {
        g_autoptr(GError) gerr = NULL;
        unsigned off;

        if (!*g_strstrip(specs[i])) {
            continue;
        }
        if (!xpf_add_quirk_str(d, specs[i], &gerr)) {
            error_setg(errp, "%s", gerr->message);
            for (i = 0; i < added->len; i++) {
                xpf_remove_quirk(d, g_array_index(added, unsigned, i), NULL);
            }
            return false;
        }
        off = g_ascii_strtoull(specs[i], NULL, 16);
        g_array_append_val(added, off);
    }
    return true;
}

bool xpt_quirks_replace(XpfDevice *d, const char *old_list,
                        const char *new_list, Error **errp)
{
    xpt_quirks_remove(d, old_list);
    if (!xpt_quirks_add(d, new_list, errp)) {
        xpt_quirks_add(d, old_list, NULL);
        return false;
    }
    return true;
}
