/* pci.c - PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2). */
#include "bus/pci.h"
#include "portio.h"

static uint32_t cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    return 0x80000000u | (bus << 16) | (dev << 11) | (fn << 8) | (reg & 0xFC);
}

static uint32_t cfg_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    outl(0xCF8, cfg_addr(bus, dev, fn, reg));
    return inl(0xCFC);
}

static void cfg_write(unsigned bus, unsigned dev, unsigned fn, unsigned reg, uint32_t v)
{
    outl(0xCF8, cfg_addr(bus, dev, fn, reg));
    outl(0xCFC, v);
}

int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out)
{
    for (unsigned bus = 0; bus < 4; bus++)
        for (unsigned dev = 0; dev < 32; dev++)
            for (unsigned fn = 0; fn < 8; fn++) {
                uint32_t id = cfg_read(bus, dev, fn, 0x00);
                if ((id & 0xFFFF) == 0xFFFF) {
                    if (fn == 0)
                        break;
                    continue;
                }
                if ((id & 0xFFFF) != vendor || (id >> 16) != device)
                    continue;
                out->bus = (uint8_t)bus;
                out->dev = (uint8_t)dev;
                out->fn = (uint8_t)fn;
                out->bar0 = cfg_read(bus, dev, fn, 0x10) & ~0xFu;
                out->irq = (uint8_t)(cfg_read(bus, dev, fn, 0x3C) & 0xFF);
                /* command register: memory space (bit 1), bus master (bit 2) */
                cfg_write(bus, dev, fn, 0x04, (cfg_read(bus, dev, fn, 0x04) & 0xFFFF) | 0x6);
                return 0;
            }
    return -1;
}

uint32_t pci_cfg_read(const struct pci_dev *d, unsigned reg)
{
    return cfg_read(d->bus, d->dev, d->fn, reg);
}

uint64_t pci_bar(const struct pci_dev *d, unsigned n)
{
    uint32_t lo = pci_cfg_read(d, 0x10 + 4 * n);
    if (n > 5 || (lo & 1))
        return 0;                                   /* I/O space */
    uint64_t a = lo & ~0xFu;
    if (((lo >> 1) & 3) == 2 && n < 5)              /* 64-bit: the next BAR is the top half */
        a |= (uint64_t)pci_cfg_read(d, 0x10 + 4 * (n + 1)) << 32;
    return a;
}

unsigned pci_cap_next(const struct pci_dev *d, uint8_t cap_id, unsigned from)
{
    unsigned off, hops = 0;
    if (!from) {
        if (!(pci_cfg_read(d, 0x04) & (1u << 20)))  /* status: capabilities list */
            return 0;
        off = pci_cfg_read(d, 0x34) & 0xFC;
    } else {
        off = (pci_cfg_read(d, from) >> 8) & 0xFC;
    }
    for (; off && hops < 48; hops++) {              /* 48: a looping list cannot hang us */
        uint32_t v = pci_cfg_read(d, off);
        if ((v & 0xFF) == cap_id)
            return off;
        off = (v >> 8) & 0xFC;
    }
    return 0;
}
