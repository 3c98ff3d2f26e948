/* Names for the server's own threads, as ps, top and perf show them (at most 15 bytes). */
#ifndef FO_THREAD_H
#define FO_THREAD_H

/* Name the calling thread; a failure is ignored (the name is only a label). */
void fo_thread_name(const char *name);

#endif
