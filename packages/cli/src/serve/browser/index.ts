// The index page: no connection of its own, only the sign-out form.
import { pageConfig, wireSession } from './common.js'

wireSession(pageConfig().csrf)
