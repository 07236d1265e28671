/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * edu_msi: end-to-end test driver for QEMU's "edu" device (1234:11e8).
 *
 * It binds the function, asks the PCI core for one MSI vector (so in a PV
 * domU the request travels through xen-pcifront to the backend's
 * enable_msi op, in an HVM guest through the device model's MSI
 * emulation), enables bus mastering, then makes the device raise
 * interrupts by writing its interrupt-raise register in BAR0 and waits
 * for each to arrive.  Results, for the test scripts:
 *
 *   /sys/module/edu_msi/parameters/count      interrupts to raise (in)
 *   /sys/module/edu_msi/parameters/answered   raised and received in time
 *   /sys/module/edu_msi/parameters/received   handler calls in all
 *   /sys/module/edu_msi/parameters/msi        1 when the vector is MSI
 *
 * and one kernel message per bound function.  Built on the host against
 * Debian's linux-headers package of the guest kernel (tests/e2e).
 *
 * edu's registers (QEMU hw/misc/edu.c): 0x24 interrupt status (read),
 * 0x60 interrupt raise (write: status |= value, then MSI or INTx),
 * 0x64 interrupt acknowledge (write: status &= ~value).
 */
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>

#define EDU_IRQ_STATUS  0x24
#define EDU_IRQ_RAISE   0x60
#define EDU_IRQ_ACK     0x64
#define EDU_MAX_MISSES  3

static int count = 16;
module_param(count, int, 0444);
MODULE_PARM_DESC(count, "interrupts to raise when a function is bound");
static int answered;
module_param(answered, int, 0444);
static int received;
module_param(received, int, 0444);
static int msi;
module_param(msi, int, 0444);

struct edu_dev {
    void __iomem *bar;
    struct completion done;
};

static irqreturn_t edu_interrupt(int irq, void *opaque)
{
    struct edu_dev *e = opaque;
    u32 status = ioread32(e->bar + EDU_IRQ_STATUS);

    if (!status) {
        return IRQ_NONE;
    }
    iowrite32(status, e->bar + EDU_IRQ_ACK);
    WRITE_ONCE(received, received + 1);
    complete(&e->done);
    return IRQ_HANDLED;
}

/* Raise @count interrupts one at a time; give up after a few misses. */
static void edu_raise_all(struct pci_dev *pdev, struct edu_dev *e)
{
    int i, misses = 0;

    for (i = 0; i < count && misses < EDU_MAX_MISSES; i++) {
        reinit_completion(&e->done);
        iowrite32(1u << (i % 8), e->bar + EDU_IRQ_RAISE);
        if (wait_for_completion_timeout(&e->done, 2 * HZ)) {
            answered++;
            misses = 0;
        } else {
            misses++;
        }
    }
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
    struct edu_dev *e;
    int rc, irq;

    e = devm_kzalloc(&pdev->dev, sizeof(*e), GFP_KERNEL);
    if (!e) {
        return -ENOMEM;
    }
    init_completion(&e->done);
    rc = pcim_enable_device(pdev);
    if (rc) {
        return rc;
    }
    rc = pcim_iomap_regions(pdev, BIT(0), "edu_msi");
    if (rc) {
        return rc;
    }
    e->bar = pcim_iomap_table(pdev)[0];
    /* edu sends its MSI as a bus-master write */
    pci_set_master(pdev);
    rc = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
    if (rc < 0) {
        dev_err(&pdev->dev, "edu_msi: no MSI vector: %d\n", rc);
        return rc;
    }
    msi = pdev->msi_enabled;
    irq = pci_irq_vector(pdev, 0);
    rc = devm_request_irq(&pdev->dev, irq, edu_interrupt, 0, "edu-msi", e);
    if (rc) {
        return rc;
    }
    edu_raise_all(pdev, e);
    dev_info(&pdev->dev,
             "edu_msi: irq %d msi=%d: %d of %d raised interrupts arrived\n",
             irq, msi, answered, count);
    return 0;
}

static const struct pci_device_id edu_ids[] = {
    { PCI_DEVICE(0x1234, 0x11e8) },
    { }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
    .name = "edu_msi",
    .id_table = edu_ids,
    .probe = edu_probe,
};
module_pci_driver(edu_driver);

MODULE_DESCRIPTION("edu MSI round trip, for the Xen passthrough e2e tests");
MODULE_LICENSE("GPL");
