/*
 * arch/sys_arch.h - lwIP's operating-system abstraction (NO_SYS=0) on the kernel's
 * semaphores, mutexes, message queues and tasks. See net/sys_arch.c.
 */
#ifndef NET_ARCH_SYS_ARCH_H
#define NET_ARCH_SYS_ARCH_H

#include "k.h"

typedef struct sys_sem { k_sem_t sem; int valid; } sys_sem_t;
typedef struct sys_mutex { k_mutex_t mutex; int valid; } sys_mutex_t;
/* a mailbox starts with room for a few messages and grows to `max` (lwIP's size) when a
 * trypost finds it full: an idle connection's mailbox stays small */
typedef struct sys_mbox { k_queue_t queue; int valid; uint32_t max; } sys_mbox_t;
typedef k_task_t *sys_thread_t;

#define sys_sem_valid(s) ((s) != NULL && (s)->valid)
#define sys_sem_set_invalid(s) do { if (s) (s)->valid = 0; } while (0)
#define sys_mutex_valid(m) ((m) != NULL && (m)->valid)
#define sys_mutex_set_invalid(m) do { if (m) (m)->valid = 0; } while (0)
#define sys_mbox_valid(b) ((b) != NULL && (b)->valid)
#define sys_mbox_set_invalid(b) do { if (b) (b)->valid = 0; } while (0)

/* Tasks are never preempted and interrupt handlers never call lwIP, so lwIP's critical
 * sections need no protection (SYS_LIGHTWEIGHT_PROT 0). */

#endif
