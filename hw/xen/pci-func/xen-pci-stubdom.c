/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dom0's address of a function -> the address the stubdomain's pcifront
 * gives it, from pciback's xenstore directory (see xen-pci-stubdom.h).
 */
#include <string.h>
#include "xen-pci-stubdom.h"

static char *xen_pci_xs_key(XenPciXsReadFn *read, void *opaque,
                            const char *path, GError **errp)
{
    char *v = read(opaque, path);

    if (!v) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "xenstore %s: missing", path);
    }
    return v;
}

/* The frontend's backend directory, a plain absolute xenstore path. */
static char *xen_pci_stubdom_backend(XenPciXsReadFn *read, void *opaque,
                                     GError **errp)
{
    g_autofree char *be = xen_pci_xs_key(read, opaque,
                                         XEN_PCI_STUBDOM_FRONTEND, errp);

    if (!be) {
        g_prefix_error(errp, "no PCI frontend in this domain: ");
        return NULL;
    }
    if (be[0] != '/' || strstr(be, "..")) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "xenstore %s: bad backend path '%s'",
                    XEN_PCI_STUBDOM_FRONTEND, be);
        return NULL;
    }
    return g_steal_pointer(&be);
}

/* The backend's num_devs, at most XEN_PCI_STUBDOM_MAX_DEVS. */
static bool xen_pci_stubdom_num_devs(XenPciXsReadFn *read, void *opaque,
                                     const char *be, guint64 *n,
                                     GError **errp)
{
    g_autofree char *path = g_strdup_printf("%s/num_devs", be);
    g_autofree char *num = xen_pci_xs_key(read, opaque, path, errp);

    if (!num) {
        return false;
    }
    if (!g_ascii_string_to_unsigned(num, 10, 0, XEN_PCI_STUBDOM_MAX_DEVS,
                                    n, NULL)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "xenstore %s: bad device count '%s'", path, num);
        return false;
    }
    return true;
}

bool xen_pci_stubdom_local_addr(XenPciXsReadFn *read, void *opaque,
                                const XenPciAddr *host, XenPciAddr *local,
                                GError **errp)
{
    g_autofree char *be = NULL;
    char name[XEN_PCI_ADDR_STRLEN];
    guint64 n, i;

    be = xen_pci_stubdom_backend(read, opaque, errp);
    if (!be || !xen_pci_stubdom_num_devs(read, opaque, be, &n, errp)) {
        return false;
    }
    for (i = 0; i < n; i++) {
        g_autofree char *dpath = g_strdup_printf("%s/dev-%" G_GUINT64_FORMAT,
                                                 be, i);
        g_autofree char *vpath = g_strdup_printf("%s/vdev-%" G_GUINT64_FORMAT,
                                                 be, i);
        g_autofree char *dev = read(opaque, dpath);
        g_autofree char *vdev = NULL;
        XenPciAddr a;

        /* a slot being removed has no key; an unparsable one is not ours */
        if (!dev || !xen_pci_addr_parse(dev, &a) ||
            !xen_pci_addr_equal(&a, host)) {
            continue;
        }
        vdev = xen_pci_xs_key(read, opaque, vpath, errp);
        if (!vdev) {
            return false;
        }
        if (!xen_pci_addr_parse(vdev, local)) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "xenstore %s: bad address '%s'", vpath, vdev);
            return false;
        }
        return true;
    }
    g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "%s is not among the %" G_GUINT64_FORMAT
                " functions of PCI backend %s",
                xen_pci_addr_format(host, name), n, be);
    return false;
}
