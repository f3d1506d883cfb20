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

/* Read a 32-bit register of the function's configuration space (reg: byte offset, any
 * alignment within the dword is rounded down). */
uint32_t pci_cfg_read(const struct pci_dev *d, unsigned reg);

/* The address BAR n (0-5) decodes, a 64-bit memory BAR's upper half included (PCI 3.0,
 * 6.2.5.1); 0 for an I/O BAR or an unassigned one. */
uint64_t pci_bar(const struct pci_dev *d, unsigned n);

/* Offset of the next capability with ID cap_id in the capability list (PCI 3.0, 6.7)
 * after offset `from` (0: from the start). Returns 0 if there is none. */
unsigned pci_cap_next(const struct pci_dev *d, uint8_t cap_id, unsigned from);

#endif
