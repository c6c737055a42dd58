/* sim_http.c - libmicrohttpd glue. MHD's thread builds a sim_http_exchange, queues it for
 * the loop and suspends the connection; the loop routes it; completion queues the
 * response back and resumes the connection. A mutex guards the two queues; nothing else
 * crosses threads. */
#include "sim_http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "sim/core/sim_clock.h"
#include "sim/core/sim_err.h"

enum conn_state { CONN_READING = 0, CONN_QUEUED, CONN_DONE };

typedef struct http_conn {
    sim_http_exchange x;          /* first: exchange <-> conn */
    sim_http *h;
    struct MHD_Connection *mhd;
    int state;                    /* enum conn_state; guarded by h->lock after READING */
    size_t body_cap;
    struct http_conn *next;       /* in h->inbox */
    struct http_conn *live_next, *live_prev; /* handed to the loop, not completed */
} http_conn;

struct sim_http {
    struct MHD_Daemon *daemon;
    uv_loop_t *loop;
    uv_async_t async;
    pthread_mutex_t lock;
    http_conn *inbox_head, *inbox_tail; /* MHD thread -> loop */
    http_conn *live;                     /* loop thread only */
    int in_flight;                       /* loop thread only */
    size_t max_body;
    sim_http_route_fn route;
    void *arg;
    int port;
    int quiesced;
    int unsent;                          /* requests not yet fully answered; under lock */
    pthread_cond_t sent;                 /* signalled when unsent drops */
};

static int kv_add(sim_kv **arr, size_t *n, const char *name, const char *value)
{
    sim_kv *a = realloc(*arr, (*n + 1) * sizeof *a);
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

/* Loop thread: x is complete; hand the response to MHD's thread and resume. */
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
    h->in_flight--;
    pthread_mutex_lock(&h->lock);
    c->state = CONN_DONE;
    pthread_mutex_unlock(&h->lock);
    MHD_resume_connection(c->mhd);
}

/* Loop thread: take everything MHD queued and route it. */
static void on_async(uv_async_t *a)
{
    sim_http *h = a->data;
    pthread_mutex_lock(&h->lock);
    http_conn *c = h->inbox_head;
    h->inbox_head = h->inbox_tail = NULL;
    pthread_mutex_unlock(&h->lock);
    while (c) {
        http_conn *next = c->next;
        c->next = NULL;
        c->live_next = h->live;
        c->live_prev = NULL;
        if (h->live)
            h->live->live_prev = c;
        h->live = c;
        h->in_flight++;
        c->x.complete = on_complete;
        h->route(h->arg, &c->x);
        c = next;
    }
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
    else
        r = MHD_create_response_from_buffer(resp->body_len, resp->body, MHD_RESPMEM_MUST_COPY);
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
        pthread_mutex_lock(&h->lock);
        h->unsent++;
        pthread_mutex_unlock(&h->lock);
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
                size_t cap = c->body_cap ? c->body_cap : 4096;
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
    pthread_mutex_lock(&h->lock);
    int state = c->state;
    if (state == CONN_READING) {
        c->state = CONN_QUEUED;
        if (h->inbox_tail)
            h->inbox_tail->next = c;
        else
            h->inbox_head = c;
        h->inbox_tail = c;
    }
    pthread_mutex_unlock(&h->lock);
    if (state == CONN_READING) {
        MHD_suspend_connection(connection);
        uv_async_send(&h->async);
        return MHD_YES;
    }
    if (state == CONN_DONE)
        return send_response(c);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_conn *c = *con_cls;
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->h->lock);
    c->h->unsent--;
    pthread_cond_signal(&c->h->sent);
    pthread_mutex_unlock(&c->h->lock);
    /* A request still with the loop is freed when it completes (it cannot be here: the
     * connection is suspended until then). */
    sim_http_req_release(&c->x.req);
    sim_http_resp_release(&c->x.resp);
    free(c);
    *con_cls = NULL;
}

static void free_after_close(uv_handle_t *handle)
{
    sim_http *h = handle->data;
    pthread_cond_destroy(&h->sent);
    pthread_mutex_destroy(&h->lock);
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
    pthread_mutex_init(&h->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* sim_clock_wall_us's clock */
    pthread_cond_init(&h->sent, &ca);
    pthread_condattr_destroy(&ca);
    if (uv_async_init(loop, &h->async, on_async) != 0) {
        pthread_cond_destroy(&h->sent);
        pthread_mutex_destroy(&h->lock);
        free(h);
        return -SIM_EIO;
    }
    h->async.data = h;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY |
                                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
                                 (uint16_t)port, NULL, NULL, on_request, h,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
                                 MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
                                 MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
    if (h->daemon == NULL) {
        fprintf(stderr, "stratus: cannot listen on 127.0.0.1:%d (in use?)\n", port);
        uv_close((uv_handle_t *)&h->async, free_after_close);
        return -SIM_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
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
    /* Route anything MHD queued but the loop has not seen, then answer the rest 503. */
    on_async(&h->async);
    while (h->live) {
        http_conn *c = h->live;
        static const char body[] = "{\"message\":\"Service stopping\"}";
        sim_http_resp_release(&c->x.resp);
        sim_http_resp_set(&c->x.resp, 503, "application/json", body, sizeof body - 1);
        on_complete(&c->x);
    }
    /* Give MHD's thread up to 2 s of wall time to send what was just completed. */
    sim_time_us deadline = sim_clock_wall_us() + 2 * SIM_S;
    struct timespec ts = { (time_t)(deadline / SIM_S), (long)(deadline % SIM_S) * 1000 };
    pthread_mutex_lock(&h->lock);
    while (h->unsent > 0)
        if (pthread_cond_timedwait(&h->sent, &h->lock, &ts) != 0)
            break;
    pthread_mutex_unlock(&h->lock);
    MHD_stop_daemon(h->daemon);
    uv_close((uv_handle_t *)&h->async, free_after_close);
}
