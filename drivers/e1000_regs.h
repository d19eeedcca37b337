/* Intel 8254x (82540EM as QEMU emulates it) registers and descriptors.
 * Names, offsets and access modes follow the PCI/PCI-X Family of Gigabit
 * Ethernet Controllers Software Developer's Manual (8254x SDM), chapter 13
 * (registers) and chapter 3 (descriptors). Bits are indented under their
 * register. Access: RW read/write, RO read only, WO write only, RC clear on
 * read, RC/W1C clear on read or by writing 1.
 */
#ifndef DRIVERS_E1000_REGS_H
#define DRIVERS_E1000_REGS_H

#include <stdint.h>

/* PCI identity (8254x SDM 5.1, table 5-1). */
#define E1000_VENDOR_INTEL      0x8086
#define E1000_DEV_82540EM       0x100E  /* QEMU's default "e1000" */
#define E1000_DEV_82545EM       0x100F  /* QEMU's "e1000-82545em" */

/* General registers (13.4). */
#define E1000_CTRL      0x00000 /* Device Control - RW */
#define   E1000_CTRL_FD         (1u << 0)  /* Full-Duplex */
#define   E1000_CTRL_LRST       (1u << 3)  /* Link Reset */
#define   E1000_CTRL_ASDE       (1u << 5)  /* Auto-Speed Detection Enable */
#define   E1000_CTRL_SLU        (1u << 6)  /* Set Link Up */
#define   E1000_CTRL_ILOS       (1u << 7)  /* Invert Loss-of-Signal */
#define   E1000_CTRL_FRCSPD     (1u << 11) /* Force Speed */
#define   E1000_CTRL_FRCDPLX    (1u << 12) /* Force Duplex */
#define   E1000_CTRL_RST        (1u << 26) /* Device Reset (self-clearing) */
#define   E1000_CTRL_RFCE       (1u << 27) /* Receive Flow Control Enable */
#define   E1000_CTRL_TFCE       (1u << 28) /* Transmit Flow Control Enable */
#define   E1000_CTRL_VME        (1u << 30) /* VLAN Mode Enable */
#define   E1000_CTRL_PHY_RST    (1u << 31) /* PHY Reset */
#define E1000_STATUS    0x00008 /* Device Status - RO */
#define   E1000_STATUS_FD       (1u << 0)  /* Full Duplex */
#define   E1000_STATUS_LU       (1u << 1)  /* Link Up */
#define   E1000_STATUS_TXOFF    (1u << 4)  /* Transmission Paused */
#define   E1000_STATUS_SPEED_SHIFT 6       /* bits 7:6: 00 10, 01 100, 1x 1000 Mb/s */
#define   E1000_STATUS_SPEED_MASK  (3u << 6)
#define E1000_EECD      0x00010 /* EEPROM/Flash Control/Data - RW */
#define E1000_EERD      0x00014 /* EEPROM Read - RW (82540EM layout) */
#define   E1000_EERD_START      (1u << 0)  /* Start Read */
#define   E1000_EERD_DONE       (1u << 4)  /* Read Done */
#define   E1000_EERD_ADDR_SHIFT 8          /* bits 15:8: word address */
#define   E1000_EERD_DATA_SHIFT 16         /* bits 31:16: data read */
#define E1000_CTRL_EXT  0x00018 /* Extended Device Control - RW */
#define E1000_MDIC      0x00020 /* MDI Control - RW */
#define E1000_FCAL      0x00028 /* Flow Control Address Low - RW */
#define E1000_FCAH      0x0002C /* Flow Control Address High - RW */
#define E1000_FCT       0x00030 /* Flow Control Type - RW */
#define E1000_VET       0x00038 /* VLAN Ether Type - RW */
#define E1000_FCTTV     0x00170 /* Flow Control Transmit Timer Value - RW */

/* Interrupt registers (13.4.17-13.4.21). ICR, ICS, IMS and IMC share one
 * bit layout, listed under ICR. */
#define E1000_ICR       0x000C0 /* Interrupt Cause Read - RC/W1C */
#define   E1000_ICR_TXDW        (1u << 0)  /* Transmit Descriptor Written Back */
#define   E1000_ICR_TXQE        (1u << 1)  /* Transmit Queue Empty */
#define   E1000_ICR_LSC         (1u << 2)  /* Link Status Change */
#define   E1000_ICR_RXSEQ       (1u << 3)  /* Receive Sequence Error */
#define   E1000_ICR_RXDMT0      (1u << 4)  /* Receive Descriptor Minimum Threshold hit */
#define   E1000_ICR_RXO         (1u << 6)  /* Receiver Overrun */
#define   E1000_ICR_RXT0        (1u << 7)  /* Receiver Timer Interrupt */
#define   E1000_ICR_MDAC        (1u << 9)  /* MDI/O Access Complete */
#define   E1000_ICR_TXD_LOW     (1u << 15) /* Transmit Descriptor Low Threshold hit */
#define   E1000_ICR_SRPD        (1u << 16) /* Small Receive Packet Detected */
#define E1000_ITR       0x000C4 /* Interrupt Throttling - RW */
#define   E1000_ITR_UNIT_NS     256        /* INTERVAL counts 256 ns units */
#define E1000_ICS       0x000C8 /* Interrupt Cause Set - WO */
#define E1000_IMS       0x000D0 /* Interrupt Mask Set/Read - RW */
#define E1000_IMC       0x000D8 /* Interrupt Mask Clear - WO */
#define   E1000_IMC_ALL         0xFFFFFFFFu

/* Receive registers (13.4.22-13.4.31). */
#define E1000_RCTL      0x00100 /* Receive Control - RW */
#define   E1000_RCTL_EN         (1u << 1)  /* Receiver Enable */
#define   E1000_RCTL_SBP        (1u << 2)  /* Store Bad Packets */
#define   E1000_RCTL_UPE        (1u << 3)  /* Unicast Promiscuous Enable */
#define   E1000_RCTL_MPE        (1u << 4)  /* Multicast Promiscuous Enable */
#define   E1000_RCTL_LPE        (1u << 5)  /* Long Packet Reception Enable */
#define   E1000_RCTL_LBM_NONE   (0u << 6)  /* Loopback Mode (bits 7:6): none */
#define   E1000_RCTL_RDMTS_HALF (0u << 8)  /* RX Desc. Min. Threshold: 1/2 of RDLEN */
#define   E1000_RCTL_MO_36      (0u << 12) /* Multicast Offset: bits 47:36 */
#define   E1000_RCTL_BAM        (1u << 15) /* Broadcast Accept Mode */
#define   E1000_RCTL_BSIZE_2048 (0u << 16) /* Receive Buffer Size, with BSEX = 0 */
#define   E1000_RCTL_BSEX       (1u << 25) /* Buffer Size Extension */
#define   E1000_RCTL_SECRC      (1u << 26) /* Strip Ethernet CRC */
#define E1000_RDBAL     0x02800 /* Receive Descriptor Base Address Low - RW */
#define E1000_RDBAH     0x02804 /* Receive Descriptor Base Address High - RW */
#define E1000_RDLEN     0x02808 /* Receive Descriptor Length - RW (multiple of 128) */
#define E1000_RDH       0x02810 /* Receive Descriptor Head - RW */
#define E1000_RDT       0x02818 /* Receive Descriptor Tail - RW */
#define E1000_RDTR      0x02820 /* Receive Delay Timer - RW */
#define E1000_RXDCTL    0x02828 /* Receive Descriptor Control - RW */
#define E1000_RADV      0x0282C /* Receive Interrupt Absolute Delay Timer - RW */
#define E1000_RSRPD     0x02C00 /* Receive Small Packet Detect Interrupt - RW */

/* Transmit registers (13.4.33-13.4.44). */
#define E1000_TCTL      0x00400 /* Transmit Control - RW */
#define   E1000_TCTL_EN         (1u << 1)  /* Transmit Enable */
#define   E1000_TCTL_PSP        (1u << 3)  /* Pad Short Packets (to 64 bytes) */
#define   E1000_TCTL_CT_SHIFT   4          /* bits 11:4: Collision Threshold */
#define   E1000_TCTL_COLD_SHIFT 12         /* bits 21:12: Collision Distance */
#define   E1000_TCTL_SWXOFF     (1u << 22) /* Software XOFF Transmission */
#define   E1000_TCTL_RTLC       (1u << 24) /* Re-transmit on Late Collision */
#define E1000_TIPG      0x00410 /* Transmit Inter Packet Gap - RW */
#define   E1000_TIPG_IPGT_SHIFT  0         /* bits 9:0: IPG Transmit Time */
#define   E1000_TIPG_IPGR1_SHIFT 10        /* bits 19:10: IPG Receive Time 1 */
#define   E1000_TIPG_IPGR2_SHIFT 20        /* bits 29:20: IPG Receive Time 2 */
#define E1000_TDBAL     0x03800 /* Transmit Descriptor Base Address Low - RW */
#define E1000_TDBAH     0x03804 /* Transmit Descriptor Base Address High - RW */
#define E1000_TDLEN     0x03808 /* Transmit Descriptor Length - RW (multiple of 128) */
#define E1000_TDH       0x03810 /* Transmit Descriptor Head - RW */
#define E1000_TDT       0x03818 /* Transmit Descriptor Tail - RW */
#define E1000_TIDV      0x03820 /* Transmit Interrupt Delay Value - RW */
#define E1000_TXDCTL    0x03828 /* Transmit Descriptor Control - RW */
#define E1000_TADV      0x0382C /* Transmit Absolute Interrupt Delay Value - RW */

/* Statistics (13.7): 32-bit counters that clear when read. */
#define E1000_CRCERRS   0x04000 /* CRC Error Count - RC */
#define E1000_MPC       0x04010 /* Missed Packets Count - RC */
#define E1000_RNBC      0x040A0 /* Receive No Buffers Count - RC */

/* Receive address filters (13.5). */
#define E1000_MTA       0x05200 /* Multicast Table Array, 128 dwords - RW */
#define   E1000_MTA_ENTRIES     128
#define E1000_RAL(n)    (0x05400 + 8 * (n)) /* Receive Address Low - RW */
#define E1000_RAH(n)    (0x05404 + 8 * (n)) /* Receive Address High - RW */
#define   E1000_RAH_AV          (1u << 31) /* Address Valid */
#define   E1000_RA_ENTRIES      16

/* EEPROM words (5.6): the Ethernet address is words 0-2, low byte first. */
#define E1000_EEPROM_ETH_ADDR_WORD 0

/* Legacy receive descriptor (3.2.3, table 3-1). The NIC writes length,
 * checksum, status, errors and special back when it fills the buffer. */
struct e1000_rx_desc {
	uint64_t buffer_addr;   /* physical address of the receive buffer */
	uint16_t length;        /* bytes DMAed into the buffer */
	uint16_t csum;          /* packet checksum */
	uint8_t status;
	uint8_t errors;
	uint16_t special;       /* VLAN tag */
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "legacy RX descriptor is 16 bytes");

/* RX descriptor status (3.2.3.1, table 3-2). */
#define E1000_RXD_STAT_DD       (1u << 0)  /* Descriptor Done */
#define E1000_RXD_STAT_EOP      (1u << 1)  /* End of Packet */
#define E1000_RXD_STAT_IXSM     (1u << 2)  /* Ignore Checksum Indication */
#define E1000_RXD_STAT_VP       (1u << 3)  /* Packet is 802.1Q */
#define E1000_RXD_STAT_TCPCS    (1u << 5)  /* TCP Checksum Calculated */
#define E1000_RXD_STAT_IPCS     (1u << 6)  /* IP Checksum Calculated */
#define E1000_RXD_STAT_PIF      (1u << 7)  /* Passed In-exact Filter */
/* RX descriptor errors (3.2.3.2, table 3-3). */
#define E1000_RXD_ERR_CE        (1u << 0)  /* CRC or Alignment Error */
#define E1000_RXD_ERR_SE        (1u << 1)  /* Symbol Error */
#define E1000_RXD_ERR_SEQ       (1u << 2)  /* Sequence Error */
#define E1000_RXD_ERR_CXE       (1u << 4)  /* Carrier Extension Error */
#define E1000_RXD_ERR_TCPE      (1u << 5)  /* TCP/UDP Checksum Error */
#define E1000_RXD_ERR_IPE       (1u << 6)  /* IP Checksum Error */
#define E1000_RXD_ERR_RXE       (1u << 7)  /* RX Data Error */
/* The errors that mean the frame itself is damaged (checksum offload is
 * not enabled, so TCPE/IPE are not ours to judge). */
#define E1000_RXD_ERR_FRAME \
	(E1000_RXD_ERR_CE | E1000_RXD_ERR_SE | E1000_RXD_ERR_SEQ | E1000_RXD_ERR_CXE | E1000_RXD_ERR_RXE)

/* Legacy transmit descriptor (3.3.3, table 3-8). */
struct e1000_tx_desc {
	uint64_t buffer_addr;   /* physical address of the frame data */
	uint16_t length;        /* bytes to send from buffer_addr */
	uint8_t cso;            /* Checksum Offset */
	uint8_t cmd;            /* Command */
	uint8_t status;         /* written back: DD when RS was set */
	uint8_t css;            /* Checksum Start */
	uint16_t special;
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy TX descriptor is 16 bytes");

/* TX descriptor command (3.3.3.1, table 3-10). */
#define E1000_TXD_CMD_EOP       (1u << 0)  /* End Of Packet */
#define E1000_TXD_CMD_IFCS      (1u << 1)  /* Insert FCS */
#define E1000_TXD_CMD_IC        (1u << 2)  /* Insert Checksum */
#define E1000_TXD_CMD_RS        (1u << 3)  /* Report Status */
#define E1000_TXD_CMD_DEXT      (1u << 5)  /* Descriptor Extension (0: legacy) */
#define E1000_TXD_CMD_VLE       (1u << 6)  /* VLAN Packet Enable */
#define E1000_TXD_CMD_IDE       (1u << 7)  /* Interrupt Delay Enable */
/* TX descriptor status (3.3.3.2, table 3-11). */
#define E1000_TXD_STAT_DD       (1u << 0)  /* Descriptor Done */
#define E1000_TXD_STAT_EC       (1u << 1)  /* Excess Collisions */
#define E1000_TXD_STAT_LC       (1u << 2)  /* Late Collision */
#define E1000_TXD_STAT_TU       (1u << 3)  /* Transmit Underrun */

#endif
