package status

import "time"

// SetRecheck changes how often c compares its snapshot's version with the
// database's; 0 turns the check off, so a test sees only what NOTIFY tells.
func SetRecheck(c *Cache, d time.Duration) { c.recheck = d }
