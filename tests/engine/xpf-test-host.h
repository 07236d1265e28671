/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A fake host function for the engine's tests, fuzzer and benchmark: plain
 * memory with write-1-to-clear bits where real hardware has them, and a log
 * of every host access the engine makes.
 */
#ifndef XPF_TEST_HOST_H
#define XPF_TEST_HOST_H

#include "hw/xen/xen-pci-filter.h"

typedef struct TestHostOp {
    bool write;
    unsigned off, size;
    uint32_t val;
} TestHostOp;

typedef struct TestHost {
    uint8_t cfg[XPF_CFG_SIZE];
    uint8_t w1c[XPF_CFG_SIZE];   /* bits that clear when written as 1 */
    size_t cfg_len;
    XpfBar bars[XPF_NUM_BARS + 1];
    GArray *log;                 /* TestHostOp */
    bool fail;                   /* every host access fails */
    char *name;
} TestHost;

extern const XpfHostOps test_host_ops;

TestHost *test_host_new(void);
void test_host_free(TestHost *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestHost, test_host_free)

/*
 * Load tests/fixtures/pci/NAME/{config,resource}; a VF (NAME/physfn) with
 * the IDs and BARs the kernel gives it (xpf_virtfn_view).
 */
TestHost *test_host_load(const char *name, GError **errp);
/* Names of all fixtures, sorted; free with g_strfreev(). */
char **test_fixture_names(void);

/* A synthetic type 0 function to build specific layouts on. */
TestHost *test_host_synthetic(size_t cfg_len);
/*
 * A synthetic PCIe function with a capability of each kind the engine
 * knows (PM, MSI, MSI-X, PCIe v2, VPD, vendor) and an unknown one, and
 * ARI, AER and DSN extended capabilities.
 */
TestHost *test_host_rich(void);
/* Append a capability of @len bytes at @pos with @id to the list. */
void test_host_add_cap(TestHost *h, unsigned pos, uint8_t id, unsigned len);
void test_host_add_extcap(TestHost *h, unsigned pos, uint16_t id,
                          unsigned ver);

uint32_t test_host_get(const TestHost *h, unsigned off, unsigned size);
void test_host_set(TestHost *h, unsigned off, unsigned size, uint32_t v);
unsigned test_host_writes(const TestHost *h);
unsigned test_host_reads(const TestHost *h);
void test_host_clear_log(TestHost *h);

/* An XpfConfig for @h with the given policy, no path callbacks. */
XpfConfig test_host_config(TestHost *h, bool permissive, bool intr_control);

#endif
