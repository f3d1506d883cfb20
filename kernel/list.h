/* list.h - intrusive circular doubly linked lists (kernel-internal). */
#ifndef KERNEL_LIST_H
#define KERNEL_LIST_H

#include <stddef.h>
#include "k.h"

#define k_container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))

static inline void k_list_init(struct k_list *l) { l->next = l->prev = l; }
static inline bool k_list_empty(const struct k_list *l) { return l->next == l; }
/* A node that is on no list points to itself (after k_list_init or k_list_del). */
static inline bool k_list_linked(const struct k_list *n) { return n->next != n; }

static inline void k_list_insert_before(struct k_list *pos, struct k_list *n)
{
    n->prev = pos->prev;
    n->next = pos;
    pos->prev->next = n;
    pos->prev = n;
}

static inline void k_list_append(struct k_list *l, struct k_list *n) { k_list_insert_before(l, n); }

static inline void k_list_del(struct k_list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

static inline struct k_list *k_list_pop(struct k_list *l)
{
    struct k_list *n = l->next;
    if (n == l)
        return NULL;
    k_list_del(n);
    return n;
}

#endif
