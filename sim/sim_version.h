/* sim_version.h - the version `stratus --version` prints. */
#ifndef SIM_VERSION_H
#define SIM_VERSION_H
#define STRATUS_VERSION "0.1.0"
#endif
