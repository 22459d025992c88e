package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// trigger sends one signed sample delivery of a type, like `stripe trigger`.
func trigger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("trigger", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "the webhook URL to deliver to (required)")
	secret := fs.String("secret", "", "the webhook secret: signs spec-shape deliveries, sets secret_key in live-shape ones")
	shape := fs.String("shape", "spec", "payload shape: spec (nested) or live (flat)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadbell trigger TYPE --url URL [--secret S] [--shape spec|live]")
		fmt.Fprintln(stderr, "TYPE is an event type such as EMAIL_REPLIED, EMAIL_OPEN or reply.")
		fs.PrintDefaults()
	}
	// The TYPE comes first (leadbell trigger reply --url ...), but a flag
	// there (-h, --url ...) is read as one: flags parse up to the TYPE and
	// again after it.
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("trigger needs an event TYPE")
	}
	typeName := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("trigger takes one event TYPE, got %q too", fs.Arg(0))
	}
	t, ok := smartlead.ParseEventType(typeName)
	if !ok {
		return fmt.Errorf("unknown event type %q", typeName)
	}
	if *url == "" {
		return fmt.Errorf("trigger needs --url")
	}

	var sh simulator.Shape
	switch *shape {
	case "spec":
		sh = simulator.ShapeSpec
	case "live":
		sh = simulator.ShapeLive
	default:
		return fmt.Errorf("unknown shape %q (spec or live)", *shape)
	}
	body, header := simulator.Payload(simulator.NewGenerator(time.Now().UnixNano()).Event(t), sh, *secret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, *url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bad --url: %w", err)
	}
	req.Header = header
	req.Header.Set("User-Agent", "leadbell-trigger")
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("delivery failed: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	fmt.Fprintf(stdout, "%s (%s shape) -> %s %s\n", t, *shape, resp.Status, bytes.TrimSpace(answer))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}
