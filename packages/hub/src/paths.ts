/** The hub URL path (spec: "The URL of the hub MUST be the well-known fixed path"). */
export const HUB_PATH = '/.well-known/mercure'
export const SUBSCRIPTIONS_PATH = `${HUB_PATH}/subscriptions`
