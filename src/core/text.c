/* text.c — see text.h. */
#include "core/text.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

const char *mdb_text_escape(const char *s, size_t max, char *out, size_t outlen) {
  if (!outlen) return out;
  size_t o = 0;
  size_t i = 0;
  int cut = 0;
  for (; s && i < max && s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[5];
    size_t k;
    if (c == '\n')
      k = (size_t)snprintf(esc, sizeof esc, "\\n");
    else if (c == '\t')
      k = (size_t)snprintf(esc, sizeof esc, "\\t");
    else if (c == '\r')
      k = (size_t)snprintf(esc, sizeof esc, "\\r");
    else if (c < 0x20 || c == 0x7f)
      k = (size_t)snprintf(esc, sizeof esc, "\\x%02x", c);
    else
      esc[0] = (char)c, esc[1] = 0, k = 1;
    if (o + k + 4 > outlen) { /* room for "..." and the NUL */
      cut = 1;
      break;
    }
    memcpy(out + o, esc, k);
    o += k;
  }
  if (cut && o + 4 <= outlen) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o < outlen ? o : outlen - 1] = 0;
  return out;
}

const char *mdb_text_q(const char *s, size_t max) {
  static _Thread_local char buf[2][512];
  static _Thread_local int which;
  which ^= 1;
  return mdb_text_escape(s, max, buf[which], sizeof buf[which]);
}

FILE *mdb_input_open(const char *path, const char **why) {
  struct stat st;
  if (stat(path, &st) != 0) {
    *why = strerror(errno);
    return NULL;
  }
  if (S_ISDIR(st.st_mode)) {
    *why = "it is a directory";
    return NULL;
  }
  if (!S_ISREG(st.st_mode)) {
    *why = "it is not a regular file (a device, socket or pipe)";
    return NULL;
  }
  FILE *f = fopen(path, "r");
  if (!f) *why = strerror(errno);
  return f;
}
