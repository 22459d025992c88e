package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"runtime"

	"github.com/leadbell/leadbell/app/api"
)

// open prints the link that opens a running Leadbell's inbox in a browser
// (its UI address with the UI token), and asks the desktop to open it.
func open(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("open", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dataDir := flags.String("data", env("LEADBELL_DATA", defaultDataDir(false)), "the data directory of the Leadbell to open")
	uiAddr := flags.String("ui", "127.0.0.1:8787", "the address its UI is served on")
	printOnly := flags.Bool("print", false, "only print the link")
	if err := flags.Parse(args); err != nil {
		return err
	}
	token, err := api.ReadToken(*dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no Leadbell has run with the data in %s yet (pass --data DIR)", *dataDir)
	}
	if err != nil {
		return err
	}
	link := "http://" + *uiAddr + "/?token=" + token
	fmt.Fprintln(stdout, link)
	if *printOnly {
		return nil
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.CommandContext(ctx, "open", link)
	case "windows":
		cmd = exec.CommandContext(ctx, "rundll32", "url.dll,FileProtocolHandler", link)
	default:
		cmd = exec.CommandContext(ctx, "xdg-open", link)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "Open the link above in your browser.")
		return nil
	}
	go cmd.Wait()
	return nil
}
