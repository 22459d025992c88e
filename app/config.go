// Package app is Leadbell's composition root: it opens the store, the
// tunnel and the receiver's server, starts the engine (app/engine) on
// them, serves the local API and UI, switches to and from the demo, and
// runs the window and the tray.
package app

import "github.com/leadbell/leadbell/app/engine"

// Config is everything `leadbell serve` is told on its command line.
type Config = engine.Config

// DefaultSmartLeadURL is SmartLead's API base.
const DefaultSmartLeadURL = engine.DefaultSmartLeadURL
