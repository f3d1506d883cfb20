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
