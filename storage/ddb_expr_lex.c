/* ddb_expr_lex.c - the tokenizer shared by every expression kind, the parser cursor helpers
 * and the AWS form of syntax errors ("Syntax error; token: \"x\", near: \"a x b\"").
 * Grammar rules live in ddb_expr_parse.c, ddb_update.c and ddb_proj.c. */
#include "storage/ddb_expr_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

int ddb__errf(char *err, size_t errcap, const char *fmt, ...)
{
    va_list ap;
    if (err != NULL && errcap > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errcap, fmt, ap);
        va_end(ap);
        ddb_utf8_trim(err); /* a cut-short message stays valid UTF-8 */
    }
    return -SIM_EINVAL;
}

void ddb__errs_clear(ddb__errs *e)
{
    for (size_t i = 0; i < sizeof e->msg / sizeof e->msg[0]; i++)
        e->msg[i][0] = '\0';
}

void ddb__errs_set(ddb__errs *e, int i, const char *fmt, ...)
{
    va_list ap;
    if (e->msg[i][0] != '\0')
        return;
    va_start(ap, fmt);
    vsnprintf(e->msg[i], sizeof e->msg[i], fmt, ap);
    va_end(ap);
    ddb_utf8_trim(e->msg[i]);
}

/* Whitespace as the expression grammar knows it. */
static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int ddb__text_blank(const char *text)
{
    for (; *text != '\0'; text++) {
        if (!is_space(*text))
            return 0;
    }
    return 1;
}

int ddb__expr_size_check(const char *text, const char *what, int show_size, char *err,
                         size_t errcap)
{
    size_t n = strlen(text);
    if (n <= DDB__EXPR_BYTES_MAX)
        return 0;
    if (show_size)
        return ddb__errf(err, errcap,
                         "Invalid %s: Expression size has exceeded the maximum allowed size; "
                         "expression size: %zu",
                         what, n);
    return ddb__errf(err, errcap,
                     "Invalid %s: Expression size has exceeded the maximum allowed size;", what);
}

int ddb__path_depth_check(const ddb__parser *ps, const char *what, char *err, size_t errcap)
{
    if (ps->deep_path == 0)
        return 0;
    return ddb__errf(err, errcap,
                     "Invalid %s: The document path has too many nesting levels; nesting "
                     "levels: %d",
                     what, ps->deep_path);
}

/* Length of the token starting at s and its kind. */
static size_t scan(const char *s, int *kind)
{
    size_t n = 1;
    switch (s[0]) {
    case '(':
        *kind = DDB__TK_LPAREN;
        return 1;
    case ')':
        *kind = DDB__TK_RPAREN;
        return 1;
    case '[':
        *kind = DDB__TK_LBRACK;
        return 1;
    case ']':
        *kind = DDB__TK_RBRACK;
        return 1;
    case ',':
        *kind = DDB__TK_COMMA;
        return 1;
    case '.':
        *kind = DDB__TK_DOT;
        return 1;
    case '=':
        *kind = DDB__TK_EQ;
        return 1;
    case '+':
        *kind = DDB__TK_PLUS;
        return 1;
    case '-':
        *kind = DDB__TK_MINUS;
        return 1;
    case '<':
        if (s[1] == '>') {
            *kind = DDB__TK_NE;
            return 2;
        }
        if (s[1] == '=') {
            *kind = DDB__TK_LE;
            return 2;
        }
        *kind = DDB__TK_LT;
        return 1;
    case '>':
        if (s[1] == '=') {
            *kind = DDB__TK_GE;
            return 2;
        }
        *kind = DDB__TK_GT;
        return 1;
    case '#':
    case ':':
        while (is_alpha(s[n]) || is_digit(s[n]))
            n++;
        if (n == 1) {
            *kind = DDB__TK_OTHER;
            return 1;
        }
        *kind = s[0] == '#' ? DDB__TK_NAME : DDB__TK_VALUE;
        return n;
    default:
        break;
    }
    if (is_alpha(s[0])) {
        while (is_alpha(s[n]) || is_digit(s[n]))
            n++;
        *kind = DDB__TK_IDENT;
        return n;
    }
    if (is_digit(s[0])) {
        while (is_digit(s[n]))
            n++;
        *kind = DDB__TK_NUMBER;
        return n;
    }
    /* Anything else is one character: a whole UTF-8 sequence. */
    while (((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    *kind = DDB__TK_OTHER;
    return n;
}

int ddb__parser_init(ddb__parser *ps, const char *text, int kwset)
{
    size_t i = 0, len = strlen(text);
    int cap = 16;
    memset(ps, 0, sizeof *ps);
    ps->text = text;
    ps->kwset = kwset;
    ps->toks = malloc(sizeof *ps->toks * (size_t)cap);
    if (ps->toks == NULL)
        return -SIM_ENOMEM;
    for (;;) {
        int kind = DDB__TK_EOF;
        size_t n = 0;
        while (i < len && is_space(text[i]))
            i++;
        if (i < len)
            n = scan(text + i, &kind);
        if (ps->ntoks == cap) {
            ddb__tok *t = realloc(ps->toks, sizeof *t * (size_t)cap * 2);
            if (t == NULL) {
                ddb__parser_release(ps);
                return -SIM_ENOMEM;
            }
            ps->toks = t;
            cap *= 2;
        }
        ps->toks[ps->ntoks].kind = kind;
        ps->toks[ps->ntoks].start = i;
        ps->toks[ps->ntoks].len = n;
        ps->ntoks++;
        if (kind == DDB__TK_EOF)
            break;
        i += n;
    }
    if ((ps->operand_failed = calloc((size_t)ps->ntoks, 1)) == NULL) {
        ddb__parser_release(ps);
        return -SIM_ENOMEM;
    }
    return 0;
}

void ddb__parser_release(ddb__parser *ps)
{
    if (ps == NULL)
        return;
    free(ps->toks);
    free(ps->operand_failed);
    ddb__node_free(ps->kept);
    ps->kept = NULL;
    ps->toks = NULL;
    ps->operand_failed = NULL;
    ps->ntoks = 0;
}

void ddb__fail(ddb__parser *ps, int at)
{
    if (at > ps->far)
        ps->far = at;
}

int ddb__kind(const ddb__parser *ps, int i)
{
    if (i < 0 || i >= ps->ntoks)
        return DDB__TK_EOF;
    return ps->toks[i].kind;
}

int ddb__accept(ddb__parser *ps, int k)
{
    if (ddb__kind(ps, ps->pos) == k) {
        ps->pos++;
        return 1;
    }
    ddb__fail(ps, ps->pos);
    return 0;
}

int ddb__is_kw(const ddb__parser *ps, int i, const char *kw)
{
    const ddb__tok *t;
    if (ddb__kind(ps, i) != DDB__TK_IDENT)
        return 0;
    t = &ps->toks[i];
    return t->len == strlen(kw) && strncasecmp(ps->text + t->start, kw, t->len) == 0;
}

int ddb__is_reserved_tok(const ddb__parser *ps, int i)
{
    static const char *const cond_kw[] = { "AND", "OR", "NOT", "BETWEEN", "IN" };
    static const char *const upd_kw[] = { "SET", "REMOVE", "ADD", "DELETE" };
    size_t k;
    if (ps->kwset == DDB__KW_COND) {
        for (k = 0; k < sizeof cond_kw / sizeof cond_kw[0]; k++) {
            if (ddb__is_kw(ps, i, cond_kw[k]))
                return 1;
        }
    } else if (ps->kwset == DDB__KW_UPDATE) {
        for (k = 0; k < sizeof upd_kw / sizeof upd_kw[0]; k++) {
            if (ddb__is_kw(ps, i, upd_kw[k]))
                return 1;
        }
    }
    return 0;
}

int ddb__accept_kw(ddb__parser *ps, const char *kw)
{
    if (ddb__is_kw(ps, ps->pos, kw)) {
        ps->pos++;
        return 1;
    }
    ddb__fail(ps, ps->pos);
    return 0;
}

char *ddb__tok_dup(ddb__parser *ps, int i)
{
    const ddb__tok *t = &ps->toks[i];
    char *s = malloc(t->len + 1);
    if (s == NULL) {
        ps->oom = 1;
        return NULL;
    }
    memcpy(s, ps->text + t->start, t->len);
    s[t->len] = '\0';
    return s;
}

int ddb__syntax_error(const ddb__parser *ps, const char *what, char *err, size_t errcap)
{
    int i = ps->far < ps->ntoks ? ps->far : ps->ntoks - 1;
    const ddb__tok *t = &ps->toks[i];
    size_t from = i > 0 ? ps->toks[i - 1].start : t->start;
    size_t to = i + 1 < ps->ntoks ? ps->toks[i + 1].start + ps->toks[i + 1].len : t->start + t->len;
    if (t->kind == DDB__TK_EOF)
        return ddb__errf(err, errcap, "Invalid %s: Syntax error; token: \"<EOF>\", near: \"%.*s\"",
                         what, (int)(to - from), ps->text + from);
    return ddb__errf(err, errcap, "Invalid %s: Syntax error; token: \"%.*s\", near: \"%.*s\"", what,
                     (int)t->len, ps->text + t->start, (int)(to - from), ps->text + from);
}
