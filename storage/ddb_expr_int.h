/* ddb_expr_int.h - internals shared by the expression files (ddb_expr_*.c, ddb_update.c,
 * ddb_proj.c): tokens, the parser cursor, document paths, operand/condition nodes and the
 * error slots. Not part of the public API (storage/ddb_expr.h). */
#ifndef DDB_EXPR_INT_H
#define DDB_EXPR_INT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "storage/ddb_expr.h"

#define DDB__ERR_MAX   1024 /* bytes of one error message slot */

/* AWS's expression limits (DynamoDB developer guide, Constraints, "Expression parameters"). */
#define DDB__EXPR_BYTES_MAX  4096 /* bytes of any expression string ("4 KB") */

/* Nesting of parentheses, NOT and function calls. DynamoDB documents no nesting limit, and
 * parses "a<b or (a<b or (..." 454 levels deep to report "The expression contains too many
 * operators; operator count: 301" (recorded in scylladb's test_limits.py,
 * test_deeply_nested_expression_2; 149 levels are accepted). Every level takes at least one
 * byte, so the 4 KB size limit bounds the nesting and this guard never fires on an accepted
 * expression. The deepest 4 KB expressions parse within 2 MiB of stack under ASan
 * (test_ddb_expr_nesting.c); the service parses on the loop thread's 8 MiB. */
#define DDB__DEPTH_MAX DDB__EXPR_BYTES_MAX
#define DDB__OPS_MAX         300  /* operators and functions in one condition expression */
#define DDB__IN_OPERANDS_MAX 100  /* operands of one IN list */
#define DDB__PATH_LEVELS_MAX 32   /* elements (names and [n]) of one document path */

/* ---- tokens (ddb_expr_lex.c) ---- */

enum ddb__tk {
    DDB__TK_EOF = 0,
    DDB__TK_IDENT,  /* [A-Za-z_][A-Za-z0-9_]* */
    DDB__TK_NAME,   /* #[A-Za-z0-9_]+ */
    DDB__TK_VALUE,  /* :[A-Za-z0-9_]+ */
    DDB__TK_NUMBER, /* [0-9]+ (list index) */
    DDB__TK_LPAREN,
    DDB__TK_RPAREN,
    DDB__TK_LBRACK,
    DDB__TK_RBRACK,
    DDB__TK_COMMA,
    DDB__TK_DOT,
    DDB__TK_EQ,
    DDB__TK_NE,
    DDB__TK_LT,
    DDB__TK_LE,
    DDB__TK_GT,
    DDB__TK_GE,
    DDB__TK_PLUS,
    DDB__TK_MINUS,
    DDB__TK_OTHER, /* any other character (one UTF-8 sequence) */
};

typedef struct ddb__tok {
    int kind;     /* enum ddb__tk */
    size_t start; /* byte offset in the text; EOF starts at the text's end */
    size_t len;   /* bytes; 0 for EOF */
} ddb__tok;

/* Which identifiers are keywords (never attribute names) in the expression kind. */
enum ddb__kwset { DDB__KW_COND = 1, DDB__KW_UPDATE = 2, DDB__KW_NONE = 3 };

/* Parser cursor over the tokens of one expression. */
struct ddb__node;

typedef struct ddb__parser {
    const char *text; /* borrowed */
    ddb__tok *toks;   /* owned; ntoks entries, the last one EOF */
    int ntoks;
    int pos;   /* next token */
    int far;   /* furthest token where a rule failed: the syntax error's token */
    int depth; /* current nesting */
    unsigned char *operand_failed; /* owned; ntoks flags: an operand (with parentheses) was
                                    * tried at this token and failed, so it is not retried */
    struct ddb__node *kept; /* owned, may be NULL: the last operand a comparison parsed and
                             * dropped (no comparator followed), kept for the retry one
                             * parenthesis further in (ddb__parse_operand_parens) */
    int kept_at, kept_end;  /* its first token (an opening parenthesis or not) and end */
    int kwset; /* enum ddb__kwset */
    int oom;   /* an allocation failed */
    int deep_path; /* (added) elements of the first document path over DDB__PATH_LEVELS_MAX,
                    * else 0: reported after the syntax check (ddb__limit_errors) */
} ddb__parser;

/** Tokenise text into ps (kwset as given). Returns 0 or -SIM_ENOMEM. */
int ddb__parser_init(ddb__parser *ps, const char *text, int kwset);
void ddb__parser_release(ddb__parser *ps);

/** Is text only whitespace (an empty expression)? */
int ddb__text_blank(const char *text);

/**
 * (Added.) Reject an expression string over DDB__EXPR_BYTES_MAX bytes before it is parsed:
 * "Invalid <what>: Expression size has exceeded the maximum allowed size;" followed, when
 * show_size is 1 (FilterExpression, ConditionExpression), by " expression size: <bytes>".
 * Returns 0 or -SIM_EINVAL with the message in err.
 */
int ddb__expr_size_check(const char *text, const char *what, int show_size, char *err,
                         size_t errcap);

/**
 * (Added.) After a successful parse: "Invalid <what>: The document path has too many
 * nesting levels; nesting levels: <n>" when ps met a path deeper than DDB__PATH_LEVELS_MAX.
 * Returns 0 or -SIM_EINVAL with the message in err.
 */
int ddb__path_depth_check(const ddb__parser *ps, const char *what, char *err, size_t errcap);

/** Record a failure at token index at (keeps the furthest). */
void ddb__fail(ddb__parser *ps, int at);
/** Kind of the token at index i (EOF past the end). */
int ddb__kind(const ddb__parser *ps, int i);
/** Consume a token of kind k, or record the failure. Returns 1 if consumed. */
int ddb__accept(ddb__parser *ps, int k);
/** Is token i the keyword kw (case-insensitive identifier)? */
int ddb__is_kw(const ddb__parser *ps, int i, const char *kw);
/** Is token i an identifier that is a keyword of ps->kwset? */
int ddb__is_reserved_tok(const ddb__parser *ps, int i);
/** Consume keyword kw or record the failure. */
int ddb__accept_kw(ddb__parser *ps, const char *kw);
/** New NUL-terminated copy of token i's text (NULL on ENOMEM, also sets ps->oom). */
char *ddb__tok_dup(ddb__parser *ps, int i);

/** "Invalid <what>: Syntax error; token: \"<tok>\", near: \"<prev tok next>\"" for the
 * token ps->far. Returns -SIM_EINVAL. */
int ddb__syntax_error(const ddb__parser *ps, const char *what, char *err, size_t errcap);

/** Write a formatted message into err; returns -SIM_EINVAL. */
int ddb__errf(char *err, size_t errcap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Is word (len bytes) one of DynamoDB's reserved words (case-insensitive)? */
int ddb__reserved(const char *word, size_t len);

/* ---- substitutions (ddb_expr_env.c) ---- */

/** The attribute name "#x" stands for (marks it used); NULL if undefined. */
const char *ddb__env_name(ddb_expr_env *env, const char *key);
/** The value ":x" stands for (marks it used); NULL if undefined. */
const cJSON *ddb__env_value(ddb_expr_env *env, const char *key);

/* ---- document paths (ddb_expr_path.c) ---- */

typedef struct ddb__pelem {
    int index;  /* >= 0: list index [n]; -1: attribute name */
    char *raw;  /* owned: the name as written ("a" or "#a"); NULL for an index */
    char *name; /* owned: the resolved attribute name; NULL until resolved / if undefined */
} ddb__pelem;

typedef struct ddb__path {
    ddb__pelem *e; /* owned; n elements, e[0] is always a name */
    int n;
} ddb__path;

/** Parse a document path at ps->pos: name ('.' name | '[' n ']')*. Returns 0 with *out
 * filled, or -1 (syntax; failure recorded) / -SIM_ENOMEM. */
int ddb__path_parse(ddb__parser *ps, ddb__path *out);
void ddb__path_release(ddb__path *p);
/** Deep copy. Returns 0 or -SIM_ENOMEM. */
int ddb__path_copy(const ddb__path *src, ddb__path *dst);

/* Error slots of an expression, reported in a fixed priority like DynamoDB. */
typedef struct ddb__errs {
    char msg[10][DDB__ERR_MAX]; /* "" when unset; first error of each kind wins */
} ddb__errs;

/** Mark every slot of e unset (cheaper than zeroing its 10 KiB). */
void ddb__errs_clear(ddb__errs *e);

/** Set slot i if still unset. */
void ddb__errs_set(ddb__errs *e, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Resolve the names of p (#x substitutions) and check reserved words. Reserved words go
 * to slot reserved_slot, undefined names to slot undefined_slot of e. Returns 0 or
 * -SIM_ENOMEM. */
int ddb__path_resolve(ddb__path *p, ddb_expr_env *env, ddb__errs *e, int reserved_slot,
                      int undefined_slot);

/** Value at p inside item (an object of attribute values); NULL if absent. */
const cJSON *ddb__path_get(const ddb__path *p, const cJSON *item);
/** "[a, b, [1]]" rendering used in AWS messages. */
void ddb__path_str(const ddb__path *p, char *buf, size_t cap);
/** Equal resolved paths? */
int ddb__path_equal(const ddb__path *a, const ddb__path *b);

/** Overlap/conflict between two resolved paths: 0 none, 1 overlap (one is a prefix of the
 * other), 2 conflict (a name and an index at the same position). */
int ddb__path_clash(const ddb__path *a, const ddb__path *b);

/* ---- condition nodes (ddb_expr_parse.c) ---- */

enum ddb__nk {
    DDB__N_PATH = 1,
    DDB__N_VALUE,
    DDB__N_FUNC,
    DDB__N_CMP,
    DDB__N_BETWEEN,
    DDB__N_IN,
    DDB__N_AND,
    DDB__N_OR,
    DDB__N_NOT,
    DDB__N_PLUS,  /* update expressions: a + b */
    DDB__N_MINUS, /* update expressions: a - b */
};

enum ddb__cmp { DDB__EQ = 1, DDB__NE, DDB__LT, DDB__LE, DDB__GT, DDB__GE };

typedef struct ddb__node {
    int kind;                /* enum ddb__nk */
    int op;                  /* enum ddb__cmp for DDB__N_CMP */
    int parens;              /* pairs of parentheses written directly around it */
    int tok;                 /* its first token */
    char *fname;             /* owned: function name as written (N_FUNC) */
    char *vname;             /* owned: ":x" (N_VALUE) */
    cJSON *value;            /* owned copy of the substituted value (N_VALUE), once resolved */
    ddb__path path;          /* N_PATH */
    struct ddb__node **args; /* owned: operands or sub-conditions */
    int nargs;
} ddb__node;

struct ddb_cond {
    ddb__node *root; /* owned */
};

ddb__node *ddb__node_new(ddb__parser *ps, int kind);
void ddb__node_free(ddb__node *n);
/** Append child to n->args. Returns 0 or -SIM_ENOMEM (child then still the caller's). */
int ddb__node_push(ddb__node *n, ddb__node *child);

/** Parse an operand: function call, :value or path (no parentheses). NULL on failure
 * (ps->oom tells ENOMEM from a syntax failure). */
ddb__node *ddb__parse_operand(ddb__parser *ps);
/** An operand inside any number of parentheses (each pair counted in node->parens). */
ddb__node *ddb__parse_operand_parens(ddb__parser *ps);

/** Symbol of a comparator ("=", "<>", ...). */
const char *ddb__cmp_str(int op);

/** Type name of a value, "" if not an attribute value. */
const char *ddb__value_type(const cJSON *v);

/** Parse and check a condition into *out (what names the parameter). */
int ddb__cond_parse(const char *text, const char *what, ddb_expr_env *env, ddb__node **out,
                    char *err, size_t errcap);

/* ---- projection (ddb_proj.c) ---- */

/** New item with only the parts of item (borrowed) that paths name (resolved; no two of
 * them overlapping). Lists keep the named elements in index order. NULL on ENOMEM. */
cJSON *ddb__project(const ddb__path *const *paths, int n, const cJSON *item);

/* ---- evaluation (ddb_expr_eval.c) ---- */

/** Result of an operand: a borrowed value or one owned (computed, e.g. size()). */
typedef struct ddb__val {
    const cJSON *av; /* NULL: undefined (absent path) */
    cJSON *owned;    /* non-NULL when av is owned here; free with ddb__val_release */
} ddb__val;

void ddb__val_release(ddb__val *v);

#endif
