/* pci.h - PCI configuration space through the legacy I/O ports 0xCF8/0xCFC (mechanism #1),
 * enough to find a device that the firmware (SeaBIOS) has already assigned. */
#ifndef DRIVERS_BUS_PCI_H
#define DRIVERS_BUS_PCI_H
#include <stdint.h>

struct pci_dev {
    uint8_t bus, dev, fn;
    uint32_t bar0;      /* BAR0 as assigned (flag bits masked off) */
    uint8_t irq;        /* interrupt line register (PIC IRQ) */
};

/* Find the first function with this vendor/device ID on bus 0..3; enable its memory space
 * and bus mastering. Returns 0, or -1 if none. */
int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out);

#endif
