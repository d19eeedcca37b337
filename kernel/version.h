#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define PIGEON_NAME "Pigeon"
#define PIGEON_VERSION "0.1"

#endif
