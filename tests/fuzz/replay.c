/* replay.c - runs the fuzz entry (LLVMFuzzerTestOneInput, fuzz_ddb_expr.c) over every file of
 * the corpus directories given on the command line, without libFuzzer: `make unit` builds it
 * with gcc under ASan+UBSan so that each input that once found a bug stays fixed. Files are
 * replayed in name order; an invariant failure aborts (the sanitizers report the rest).
 * Usage: replay DIR... ; exit status 0 when every file ran, 1 on a usage or read error. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read path whole into a new buffer (*out, free()). Returns 0 or -1. */
static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (f == NULL)
        return -1;
    do {
        if (len == cap) {
            uint8_t *b = realloc(buf, cap = cap ? cap * 2 : 4096);
            if (b == NULL) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = b;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    *out = buf;
    *out_len = len;
    return 0;
}

/* Replay every regular file of dir; adds the count to *total. Returns 0 or -1. */
static int replay_dir(const char *dir, size_t *total)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;
    if (d == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **g = realloc(names, sizeof *g * (cap = cap ? cap * 2 : 256));
            if (g == NULL) {
                rc = -1;
                break;
            }
            names = g;
        }
        if ((names[n] = strdup(e->d_name)) == NULL) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, name_cmp);
    for (i = 0; i < n && rc == 0; i++) {
        char path[4096];
        struct stat st;
        uint8_t *buf = NULL;
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (read_file(path, &buf, &len) != 0) {
            fprintf(stderr, "replay: cannot read %s\n", path);
            rc = -1;
            break;
        }
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        (*total)++;
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t total = 0;
    int i;
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
        return 1;
    }
    for (i = 1; i < argc; i++) {
        if (replay_dir(argv[i], &total) != 0)
            return 1;
    }
    printf("replay: %zu inputs, no invariant broken\n", total);
    return 0;
}
