/* sim_http.c - libmicrohttpd glue, driven by the loop. MHD runs without a thread of its
 * own ("external polling" with epoll): the loop watches MHD's epoll descriptor (uv_poll)
 * and its timeout (uv_timer) and calls MHD_run, so requests are parsed, routed and
 * answered on the loop thread. A request answered before its route returns (DynamoDB's
 * wire protocol, health) is queued at once; one answered later (a fiber: API Gateway,
 * Lambda, long polls) suspends its connection until completion resumes it. Nothing
 * crosses threads. */
#include "sim_http.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "sim/core/sim_clock.h"
#include "sim/core/sim_err.h"

enum conn_state { CONN_READING = 0, CONN_ROUTED, CONN_DONE };

typedef struct http_conn {
    sim_http_exchange x;          /* first: exchange <-> conn */
    sim_http *h;
    struct MHD_Connection *mhd;
    int state;                    /* enum conn_state */
    int suspended;                /* 1 while MHD holds the connection suspended */
    size_t body_cap;
    struct http_conn *live_next, *live_prev; /* routed, not completed */
} http_conn;

struct sim_http {
    struct MHD_Daemon *daemon;
    uv_loop_t *loop;
    uv_poll_t poll;                      /* MHD's epoll descriptor */
    uv_timer_t timer;                    /* MHD's next timeout */
    int open_handles;                    /* poll and timer, until both are closed */
    int running;                         /* inside MHD_run */
    int resumed;                         /* a connection was resumed since MHD_run began */
    http_conn *live;
    int in_flight;
    size_t max_body;
    sim_http_route_fn route;
    void *arg;
    int port;
    int quiesced;
    int unsent;                          /* requests not yet fully answered */
};

static int kv_add(sim_kv **arr, size_t *n, const char *name, const char *value)
{
    /* Room for 8, then doubled whenever the count reaches a power of two. */
    sim_kv *a = *arr;
    if (*n == 0)
        a = malloc(8 * sizeof *a);
    else if (*n >= 8 && (*n & (*n - 1)) == 0)
        a = realloc(*arr, *n * 2 * sizeof *a);
    if (a == NULL)
        return -SIM_ENOMEM;
    *arr = a;
    a[*n].name = strdup(name);
    a[*n].value = strdup(value ? value : "");
    (*n)++;
    return 0;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    sim_http_req *req = cls;
    kv_add(&req->headers, &req->nheaders, key, value);
    return MHD_YES;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    sim_http_req *req = cls;
    kv_add(&req->query, &req->nquery, key, value);
    return MHD_YES;
}

static void drive(sim_http *h);

static void on_timer(uv_timer_t *t)
{
    drive(t->data);
}

/* x is complete. During its route the caller answers it; later, resume the connection and
 * MHD calls on_request again to answer. */
static void on_complete(sim_http_exchange *x)
{
    http_conn *c = (http_conn *)x;
    sim_http *h = c->h;
    if (c->live_prev)
        c->live_prev->live_next = c->live_next;
    else
        h->live = c->live_next;
    if (c->live_next)
        c->live_next->live_prev = c->live_prev;
    c->live_next = c->live_prev = NULL;
    h->in_flight--;
    c->state = CONN_DONE;
    if (c->suspended) {
        /* With external polling MHD sees the resumption only in its next MHD_run. */
        c->suspended = 0;
        MHD_resume_connection(c->mhd);
        h->resumed = 1;
        if (!h->running)
            uv_timer_start(&h->timer, on_timer, 0, 0);
    }
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    drive(p->data);
}

/* Let MHD do all it can now (accept, read, call on_request, write, time out idle
 * connections), then arm the timer for its next deadline. */
static void drive(sim_http *h)
{
    if (h->running) /* a route ran the loop; the outer MHD_run carries on */
        return;
    h->running = 1;
    h->resumed = 0;
    MHD_run(h->daemon);
    h->running = 0;
    MHD_UNSIGNED_LONG_LONG ms = 0;
    if (h->resumed) /* a connection resumed during this run: run again soon */
        uv_timer_start(&h->timer, on_timer, 0, 0);
    else if (MHD_get_timeout(h->daemon, &ms) == MHD_YES)
        uv_timer_start(&h->timer, on_timer, (uint64_t)ms, 0);
    else
        uv_timer_stop(&h->timer);
}

static ssize_t empty_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    return MHD_CONTENT_READER_END_OF_STREAM;
}

/* MHD thread: build the MHD response from the finished exchange. */
static enum MHD_Result send_response(http_conn *c)
{
    sim_http_resp *resp = &c->x.resp;
    struct MHD_Response *r = NULL;
    const char *clen = NULL;
    for (size_t i = 0; i < resp->nheaders; i++)
        if (strcasecmp(resp->headers[i].name, "Content-Length") == 0)
            clen = resp->headers[i].value;
    if (strcmp(c->x.req.method, "HEAD") == 0 && clen && resp->body_len == 0)
        r = MHD_create_response_from_callback((uint64_t)strtoull(clen, NULL, 10), 4096,
                                              empty_reader, NULL, NULL);
    else if (resp->body != NULL) { /* MHD takes the body and frees it */
        r = MHD_create_response_from_buffer(resp->body_len, resp->body, MHD_RESPMEM_MUST_FREE);
        if (r != NULL) {
            resp->body = NULL;
            resp->body_len = 0;
        }
    } else
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    for (size_t i = 0; i < resp->nheaders; i++)
        if (strcasecmp(resp->headers[i].name, "Content-Length") != 0)
            MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
    enum MHD_Result ok = MHD_queue_response(c->mhd, (unsigned)(resp->status ? resp->status : 500), r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    sim_http *h = cls;
    http_conn *c = *con_cls;
    if (c == NULL) {
        c = calloc(1, sizeof *c);
        if (c == NULL)
            return MHD_NO;
        c->h = h;
        c->mhd = connection;
        h->unsent++;
        c->x.req.method = strdup(method);
        c->x.req.path = strdup(url);
        MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_header, &c->x.req);
        MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, collect_query, &c->x.req);
        *con_cls = c;
        return MHD_YES;
    }
    if (c->state == CONN_READING && *upload_data_size > 0) {
        size_t n = *upload_data_size;
        if (c->x.req.body_len + n > h->max_body) {
            c->x.req.body_too_large = 1;
        } else {
            if (c->x.req.body_len + n + 1 > c->body_cap) {
                size_t cap = c->body_cap ? c->body_cap : 256;
                while (cap < c->x.req.body_len + n + 1)
                    cap *= 2;
                unsigned char *b = realloc(c->x.req.body, cap);
                if (b == NULL)
                    return MHD_NO;
                c->x.req.body = b;
                c->body_cap = cap;
            }
            memcpy(c->x.req.body + c->x.req.body_len, upload_data, n);
            c->x.req.body_len += n;
            c->x.req.body[c->x.req.body_len] = '\0';
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (c->state == CONN_READING) {
        c->state = CONN_ROUTED;
        c->live_next = h->live;
        c->live_prev = NULL;
        if (h->live)
            h->live->live_prev = c;
        h->live = c;
        h->in_flight++;
        c->x.complete = on_complete;
        h->route(h->arg, &c->x);
        if (c->state != CONN_DONE) { /* answered later, by a fiber or a timer */
            c->suspended = 1;
            MHD_suspend_connection(connection);
            return MHD_YES;
        }
    }
    if (c->state == CONN_DONE)
        return send_response(c);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_conn *c = *con_cls;
    if (c == NULL)
        return;
    c->h->unsent--;
    /* A routed request is freed only once complete (it cannot be here before: the
     * connection is suspended until then). */
    sim_http_req_release(&c->x.req);
    sim_http_resp_release(&c->x.resp);
    free(c);
    *con_cls = NULL;
}

static void free_after_close(uv_handle_t *handle)
{
    sim_http *h = handle->data;
    if (--h->open_handles == 0)
        free(h);
}

/* Seconds a connection may sit idle (half-sent request, idle keep-alive) before it is
 * closed. A suspended connection (a long poll) is not idle. */
#define HTTP_IDLE_TIMEOUT_S 15

/* Connections each front may hold: raise the soft descriptor limit to the hard one and
 * leave room for sqlite files and the other front. */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1000;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    rlim_t usable = rl.rlim_cur > 256 ? (rl.rlim_cur - 128) / 2 : 64;
    return usable > 16384 ? 16384 : (unsigned)usable;
}

int sim_http_start(uv_loop_t *loop, int port, size_t max_body_bytes, sim_http_route_fn route,
                   void *arg, sim_http **out)
{
    sim_http *h = calloc(1, sizeof *h);
    if (h == NULL)
        return -SIM_ENOMEM;
    h->loop = loop;
    h->route = route;
    h->arg = arg;
    h->max_body = max_body_bytes;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    h->daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
                                 (uint16_t)port, NULL, NULL, on_request, h,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
                                 MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
                                 MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
    if (h->daemon == NULL) {
        fprintf(stderr, "stratus: cannot listen on 127.0.0.1:%d (in use?)\n", port);
        free(h);
        return -SIM_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    if (info == NULL || uv_poll_init(loop, &h->poll, info->epoll_fd) != 0) {
        MHD_stop_daemon(h->daemon);
        free(h);
        return -SIM_EIO;
    }
    uv_timer_init(loop, &h->timer);
    h->poll.data = h->timer.data = h;
    h->open_handles = 2;
    uv_poll_start(&h->poll, UV_READABLE, on_poll);
    info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : port;
    *out = h;
    return 0;
}

int sim_http_port(const sim_http *h)
{
    return h->port;
}

void sim_http_quiesce(sim_http *h)
{
    if (h == NULL || h->quiesced)
        return;
    h->quiesced = 1;
    MHD_socket fd = MHD_quiesce_daemon(h->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

int sim_http_in_flight(const sim_http *h)
{
    return h ? h->in_flight : 0;
}

void sim_http_stop(sim_http *h)
{
    if (h == NULL)
        return;
    /* Answer what is still routed with 503. */
    while (h->live) {
        http_conn *c = h->live;
        static const char body[] = "{\"message\":\"Service stopping\"}";
        sim_http_resp_release(&c->x.resp);
        sim_http_resp_set(&c->x.resp, 503, "application/json", body, sizeof body - 1);
        on_complete(&c->x);
    }
    /* Up to 2 s of wall time for MHD to send what was just completed. */
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    sim_time_us deadline = sim_clock_wall_us() + 2 * SIM_S;
    for (;;) {
        MHD_run(h->daemon);
        if (h->unsent <= 0 || info == NULL || sim_clock_wall_us() >= deadline)
            break;
        struct pollfd pfd = { .fd = info->epoll_fd, .events = POLLIN };
        (void)poll(&pfd, 1, 10);
    }
    uv_close((uv_handle_t *)&h->poll, free_after_close); /* before MHD closes the fd */
    uv_close((uv_handle_t *)&h->timer, free_after_close);
    MHD_stop_daemon(h->daemon);
}
