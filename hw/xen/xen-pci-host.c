/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI passthrough, host side: the host function through dom0's sysfs.
 * Everything read here is host input: checked, and any problem reported as
 * an Error with the file it came from.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "hw/pci/pci_regs.h"
#include "xen-pci-host.h"
#include "trace.h"

void xen_pci_error_from_gerror(Error **errp, const GError *gerr,
                               const char *who)
{
    if (who) {
        error_setg(errp, "%s: %s", who, gerr->message);
    } else {
        error_setg(errp, "%s", gerr->message);
    }
}

/* Host functions claimed by a passthrough device of this QEMU. */
static GHashTable *xen_pci_claimed;

static bool xen_pci_claim(XenPciHost *h, Error **errp)
{
    if (!xen_pci_claimed) {
        xen_pci_claimed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            NULL);
    }
    if (g_hash_table_contains(xen_pci_claimed, h->name)) {
        error_setg(errp, "host PCI device %s is already in use by another "
                   "passthrough device", h->name);
        return false;
    }
    g_hash_table_add(xen_pci_claimed, g_strdup(h->name));
    h->claimed = true;
    return true;
}

/* Write a sysfs attribute in place (g_file_set_contents would rename). */
static bool xen_pci_write_attr(const char *path, const char *text,
                               Error **errp)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(text);
    ssize_t n;

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open %s", path);
        return false;
    }
    n = write(fd, text, len);
    if (n < 0) {
        error_setg_errno(errp, errno, "cannot write %s", path);
    } else if (n != len) {
        error_setg(errp, "short write to %s (%zd of %zu bytes)", path, n,
                   len);
    }
    close(fd);
    return n == len;
}

static bool xen_pci_read_text(XenPciHost *h, const char *file, char **out,
                              Error **errp)
{
    g_autofree char *path = g_build_filename(h->dir, file, NULL);
    g_autoptr(GError) gerr = NULL;

    if (!g_file_get_contents(path, out, NULL, &gerr)) {
        error_setg(errp, "host PCI device %s: cannot read %s: %s", h->name,
                   path, gerr->message);
        return false;
    }
    return true;
}

static bool xen_pci_read_irq(XenPciHost *h, Error **errp)
{
    g_autofree char *text = NULL;
    g_autofree char *path = g_build_filename(h->dir, "irq", NULL);
    uint64_t irq;

    h->irq = 0;
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        return true;
    }
    if (!xen_pci_read_text(h, "irq", &text, errp)) {
        return false;
    }
    g_strstrip(text);
    if (!g_ascii_string_to_unsigned(text, 10, 0, 0xffff, &irq, NULL)) {
        error_setg(errp, "host PCI device %s: bad irq '%s'", h->name, text);
        return false;
    }
    h->irq = irq;
    return true;
}

/*
 * In a stubdomain, sysfs irq is the stubdomain's own Linux IRQ once its
 * kernel has enabled the function (seen with an xHCI), not the GSI;
 * pcifront's interrupt line is dom0's IRQ, the GSI (pciback's emulation
 * of the register).
 */
static void xen_pci_read_stubdom_gsi(XenPciHost *h)
{
    uint8_t line = h->saved[PCI_INTERRUPT_LINE];

    h->irq = h->saved[PCI_INTERRUPT_PIN] && line != 0xff ? line : 0;
}

static bool xen_pci_read_id(XenPciHost *h, const char *file, uint16_t *id,
                            Error **errp)
{
    g_autofree char *text = NULL;
    uint64_t v;

    if (!xen_pci_read_text(h, file, &text, errp)) {
        return false;
    }
    g_strstrip(text);
    if (!g_str_has_prefix(text, "0x") ||
        !g_ascii_string_to_unsigned(text + 2, 16, 0, 0xffff, &v, NULL)) {
        error_setg(errp, "host PCI device %s: bad %s '%s'", h->name, file,
                   text);
        return false;
    }
    *id = v;
    return true;
}

/*
 * An SR-IOV virtual function (dom0's sysfs links it to its physical
 * function) reads no IDs and no BARs of its own: the rest of the layer sees
 * those the kernel gives it, as pciback's frontends do.
 */
static bool xen_pci_read_virtfn(XenPciHost *h, Error **errp)
{
    g_autofree char *link = g_build_filename(h->dir, "physfn", NULL);
    g_autofree char *target = NULL;
    uint16_t vendor, device;

    if (!g_file_test(link, G_FILE_TEST_IS_SYMLINK | G_FILE_TEST_EXISTS)) {
        return true;
    }
    if (!xen_pci_read_id(h, "vendor", &vendor, errp) ||
        !xen_pci_read_id(h, "device", &device, errp)) {
        return false;
    }
    xpf_virtfn_view(h->saved, vendor, device, h->bars);
    h->virtfn = true;
    target = g_file_read_link(link, NULL);
    trace_xen_pci_host_virtfn(h->name, target ? target : "?", vendor,
                              device);
    return true;
}

static bool xen_pci_read_config(XenPciHost *h, Error **errp)
{
    g_autofree char *path = g_build_filename(h->dir, "config", NULL);
    struct stat st;
    ssize_t n;

    h->config_fd = open(path, O_RDWR | O_CLOEXEC);
    if (h->config_fd < 0) {
        error_setg_errno(errp, errno, "host PCI device %s: cannot open %s",
                         h->name, path);
        return false;
    }
    if (fstat(h->config_fd, &st) < 0) {
        error_setg_errno(errp, errno, "host PCI device %s: stat %s", h->name,
                         path);
        return false;
    }
    h->config_size = st.st_size >= XPF_CFG_SIZE ? XPF_CFG_SIZE
                                                : XPF_CFG_LEGACY_SIZE;
    n = pread(h->config_fd, h->saved, h->config_size, 0);
    if (n < 0) {
        error_setg_errno(errp, errno, "host PCI device %s: cannot read %s",
                         h->name, path);
        return false;
    }
    if (n < XPF_CFG_LEGACY_SIZE) {
        /* An unprivileged reader sees only the first 64 bytes. */
        error_setg(errp, "host PCI device %s: %s gave %zd bytes, need %u "
                   "(is QEMU privileged?)", h->name, path, n,
                   XPF_CFG_LEGACY_SIZE);
        return false;
    }
    if (n < XPF_CFG_SIZE) {
        h->config_size = XPF_CFG_LEGACY_SIZE;
    }
    return true;
}

bool xen_pci_host_open(XenPciHost *h, const char *root, const char *local,
                       const XenPciAddr *addr, Error **errp)
{
    g_autofree char *res = NULL;
    g_autoptr(GError) gerr = NULL;
    char name[XEN_PCI_ADDR_STRLEN];

    *h = (XenPciHost) { .addr = *addr, .config_fd = -1 };
    h->name = g_strdup(xen_pci_addr_format(addr, name));
    h->dir = g_build_filename(root, local ?: h->name, NULL);
    if (!g_file_test(h->dir, G_FILE_TEST_IS_DIR)) {
        error_setg(errp, "host PCI device %s not found (no %s)", h->name,
                   h->dir);
        goto fail;
    }
    if (!xen_pci_read_config(h, errp) || !xen_pci_read_text(h, "resource", &res,
                                                     errp) ||
        (!local && !xen_pci_read_irq(h, errp))) {
        goto fail;
    }
    if (local) {
        xen_pci_read_stubdom_gsi(h);
    }
    if (!xpf_parse_sysfs_resource(res, h->bars, &gerr)) {
        xen_pci_error_from_gerror(errp, gerr, h->name);
        error_prepend(errp, "host PCI device ");
        goto fail;
    }
    if ((!local && !xen_pci_read_virtfn(h, errp)) || !xen_pci_claim(h, errp)) {
        goto fail;
    }
    trace_xen_pci_host_open(h->name, h->dir, h->config_size, h->irq);
    return true;

fail:
    xen_pci_host_close(h);
    return false;
}

/* The driver @h is bound to (g_free), NULL if none. */
static char *xen_pci_host_driver(const XenPciHost *h)
{
    g_autofree char *link = g_build_filename(h->dir, "driver", NULL);
    g_autofree char *target = g_file_read_link(link, NULL);

    return target ? g_path_get_basename(target) : NULL;
}

bool xen_pci_host_check_driver(const XenPciHost *h, bool pcifront,
                               Error **errp)
{
    g_autofree char *drv = xen_pci_host_driver(h);
    g_autofree char *bound = NULL;

    if (pcifront) {
        if (drv) {
            error_setg(errp, "host PCI device %s is bound to the stubdomain's "
                       "driver %s: not taken", h->name, drv);
            return false;
        }
        return true;
    }
    if (drv && !strcmp(drv, "pciback")) {
        return true;
    }
    bound = drv ? g_strdup_printf("dom0's driver %s", drv)
                : g_strdup("no driver");
    error_setg(errp, "host PCI device %s is bound to %s, not to pciback: "
               "not taken; make it assignable first (xl pci-assignable-add "
               "%s)", h->name, bound, h->name);
    return false;
}

void xen_pci_host_close(XenPciHost *h)
{
    if (h->claimed) {
        g_hash_table_remove(xen_pci_claimed, h->name);
        h->claimed = false;
    }
    if (h->config_fd >= 0) {
        close(h->config_fd);
        h->config_fd = -1;
    }
    g_clear_pointer(&h->name, g_free);
    g_clear_pointer(&h->dir, g_free);
}

int xen_pci_host_cfg_read(void *opaque, unsigned off, unsigned size,
                          uint32_t *val)
{
    XenPciHost *h = opaque;
    uint8_t buf[4];
    ssize_t n;

    if (off + size > h->config_size) {
        return -EINVAL;
    }
    n = pread(h->config_fd, buf, size, off);
    if (n != size) {
        return n < 0 ? -errno : -EIO;
    }
    *val = size == 1 ? buf[0] : size == 2 ? lduw_le_p(buf) : ldl_le_p(buf);
    trace_xen_pci_host_read(h->name, off, size, *val);
    return 0;
}

/* Whether [off, off + size) touches the control word of capability @id. */
static bool xen_pci_hits_cap_ctrl(const XenPciHost *h, uint8_t id,
                                  unsigned off, unsigned size)
{
    unsigned cap = xen_pci_saved_cap(h, id);

    return cap && off < cap + 4 && off + size > cap + 2;
}

int xen_pci_host_cfg_write(void *opaque, unsigned off, unsigned size,
                           uint32_t val)
{
    XenPciHost *h = opaque;
    uint8_t buf[4];
    ssize_t n;

    if (off + size > h->config_size) {
        return -EINVAL;
    }
    stl_le_p(buf, val);
    trace_xen_pci_host_write(h->name, off, size, val);
    if (h->refuse_intr &&
        (xen_pci_hits_cap_ctrl(h, PCI_CAP_ID_MSI, off, size) ||
         xen_pci_hits_cap_ctrl(h, PCI_CAP_ID_MSIX, off, size))) {
        return 0;
    }
    if (h->fail_writes) {
        return -EIO;
    }
    n = pwrite(h->config_fd, buf, size, off);
    if (n != size) {
        return n < 0 ? -errno : -EIO;
    }
    return 0;
}

bool xen_pci_host_enable_decode(XenPciHost *h, Error **errp)
{
    uint32_t want = 0, cmd;
    unsigned i;
    int rc;

    for (i = 0; i < XPF_NUM_BARS; i++) {
        if (h->bars[i].size) {
            want |= h->bars[i].io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
        }
    }
    if (!want) {
        return true;
    }
    rc = xen_pci_host_cfg_read(h, PCI_COMMAND, 2, &cmd);
    if (!rc) {
        rc = xen_pci_host_cfg_write(h, PCI_COMMAND, 2, cmd | want);
    }
    if (rc) {
        error_setg_errno(errp, -rc, "host PCI device %s: turning on "
                         "decoding failed", h->name);
        return false;
    }
    return true;
}

static bool xen_pci_restore_range(XenPciHost *h, unsigned off,
                                  unsigned size, Error **errp)
{
    uint32_t v = size == 1 ? h->saved[off] : size == 2 ?
                 lduw_le_p(&h->saved[off]) : ldl_le_p(&h->saved[off]);
    int rc = xen_pci_host_cfg_write(h, off, size, v);

    if (rc < 0) {
        error_setg_errno(errp, -rc, "host PCI device %s: restoring config "
                         "offset 0x%x failed", h->name, off);
        return false;
    }
    return true;
}

unsigned xen_pci_saved_cap(const XenPciHost *h, uint8_t id)
{
    unsigned pos = h->saved[PCI_CAPABILITY_LIST] & ~3u, steps = 0;

    while (pos >= 0x40 && pos < 0xfc && steps++ < 48) {
        if (h->saved[pos] == id) {
            return pos;
        }
        pos = h->saved[pos + 1] & ~3u;
    }
    return 0;
}

/*
 * Xen programs the function's MSI address and data (and masks) itself
 * while a guest has it; once the guest is gone, dom0's values go back,
 * control last. MSI-X keeps its table in a BAR: only its control here.
 */
static bool xen_pci_restore_msi(XenPciHost *h, Error **errp)
{
    unsigned msi = xen_pci_saved_cap(h, PCI_CAP_ID_MSI);
    unsigned msix = xen_pci_saved_cap(h, PCI_CAP_ID_MSIX);

    if (msi && msi + PCI_MSI_MASK_64 + 8 <= PCI_CFG_SPACE_SIZE) {
        uint16_t ctrl = lduw_le_p(&h->saved[msi + PCI_MSI_FLAGS]);
        bool is64 = ctrl & PCI_MSI_FLAGS_64BIT;
        unsigned data = msi + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);
        unsigned mask = msi + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);

        if (!xen_pci_restore_range(h, msi + PCI_MSI_ADDRESS_LO, 4, errp) ||
            (is64 &&
             !xen_pci_restore_range(h, msi + PCI_MSI_ADDRESS_HI, 4, errp)) ||
            !xen_pci_restore_range(h, data, 2, errp) ||
            ((ctrl & PCI_MSI_FLAGS_MASKBIT) &&
             !xen_pci_restore_range(h, mask, 4, errp)) ||
            !xen_pci_restore_range(h, msi + PCI_MSI_FLAGS, 2, errp)) {
            return false;
        }
    }
    return !msix || xen_pci_restore_range(h, msix + PCI_MSIX_FLAGS, 2, errp);
}

bool xen_pci_host_reset(XenPciHost *h, Error **errp)
{
    g_autofree char *path = g_build_filename(h->dir, "reset", NULL);

    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        return true;
    }
    if (!xen_pci_write_attr(path, "1", errp)) {
        error_prepend(errp, "host PCI device %s: reset failed: ", h->name);
        return false;
    }
    trace_xen_pci_host_reset(h->name);
    return true;
}

bool xen_pci_host_restore(XenPciHost *h, Error **errp)
{
    static const uint8_t header[][2] = {
        { 0x0c, 1 }, { 0x0d, 1 }, { 0x10, 4 }, { 0x14, 4 }, { 0x18, 4 },
        { 0x1c, 4 }, { 0x20, 4 }, { 0x24, 4 }, { 0x30, 4 }, { 0x3c, 1 },
    };
    unsigned exp = xen_pci_saved_cap(h, PCI_CAP_ID_EXP);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(header); i++) {
        bool bar = header[i][0] >= PCI_BASE_ADDRESS_0 &&
                   header[i][0] <= PCI_BASE_ADDRESS_5;

        /* A VF's BARs are its physical function's, not to be written. */
        if (bar && h->virtfn) {
            continue;
        }
        if (!xen_pci_restore_range(h, header[i][0], header[i][1], errp)) {
            return false;
        }
    }
    if (exp && (!xen_pci_restore_range(h, exp + PCI_EXP_DEVCTL, 2, errp) ||
                !xen_pci_restore_range(h, exp + PCI_EXP_LNKCTL, 2, errp))) {
        return false;
    }
    if (!xen_pci_restore_msi(h, errp)) {
        return false;
    }
    /* Command last: decoding resumes once the BARs are back. */
    return xen_pci_restore_range(h, PCI_COMMAND, 2, errp);
}

bool xen_pci_host_bar_read(XenPciHost *h, unsigned bar, uint64_t off,
                           void *buf, size_t size)
{
    g_autofree char *file = g_strdup_printf("resource%u", bar);
    g_autofree char *path = g_build_filename(h->dir, file, NULL);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool ok = false;

    if (fd < 0) {
        return false;
    }
    if (pread(fd, buf, size, off) == size) {
        ok = true;
    } else {
        /* Memory BARs: sysfs offers mmap, not read. */
        long pg = qemu_real_host_page_size();
        uint64_t base = off & ~(uint64_t)(pg - 1);
        size_t len = off - base + size;
        void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, base);

        if (p != MAP_FAILED) {
            memcpy(buf, (uint8_t *)p + (off - base), size);
            munmap(p, len);
            ok = true;
        }
    }
    close(fd);
    return ok;
}

uint8_t *xen_pci_host_read_rom(XenPciHost *h, size_t *size, Error **errp)
{
    g_autofree char *path = g_build_filename(h->dir, "rom", NULL);
    g_autoptr(GError) gerr = NULL;
    char *data = NULL;
    gsize len = 0;

    /* sysfs refuses to read a ROM until 1 is written; 0 disables again. */
    if (!g_file_get_contents(path, &data, &len, NULL)) {
        xen_pci_write_attr(path, "1", NULL);
        if (!g_file_get_contents(path, &data, &len, &gerr)) {
            error_setg(errp, "host PCI device %s: cannot read ROM %s: %s",
                       h->name, path, gerr->message);
            return NULL;
        }
        xen_pci_write_attr(path, "0", NULL);
    }
    *size = len;
    return (uint8_t *)data;
}
