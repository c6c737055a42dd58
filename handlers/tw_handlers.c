/* tw_handlers.c - Tweeter's handler table: the names regions.conf uses in `handler =`
 * mapped to the functions in tw_user.c, tw_follow.c, tw_status.c, tw_fanout.c and
 * tw_populate.c. The host looks names up here; nothing else is exported. */
#include "handlers/tw.h"

#include <stddef.h>

const lambda_handler_def tw_handlers[] = {
    { "tweeter.login", tw_login },
    { "tweeter.register", tw_register },
    { "tweeter.logout", tw_logout },
    { "tweeter.getUser", tw_get_user },
    { "tweeter.follow", tw_follow },
    { "tweeter.unfollow", tw_unfollow },
    { "tweeter.isFollower", tw_is_follower },
    { "tweeter.followerCount", tw_follower_count },
    { "tweeter.followeeCount", tw_followee_count },
    { "tweeter.followers", tw_followers },
    { "tweeter.followees", tw_followees },
    { "tweeter.story", tw_story },
    { "tweeter.feed", tw_feed },
    { "tweeter.postStatus", tw_post_status },
    { "tweeter.fanOut", tw_fan_out },
    { "tweeter.updateFeed", tw_update_feed },
    { "tweeter.populate", tw_populate },
    { "tweeter.updateFeedUnawaited", tw_update_feed_unawaited },
    { NULL, NULL },
};
