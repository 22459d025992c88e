//go:build desktop

package app

import (
	"context"
	"sync/atomic"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// showDamaged opens a window that says the data file is damaged and asks
// whether to start fresh, in place of the inbox. It returns ErrRestart
// once the damaged file is kept aside (the caller starts Leadbell again,
// which makes a new file), or nil when the user quit.
func showDamaged(ctx context.Context, cfg Config, damage *DamagedError, icon []byte) error {
	cfg.Logger.Error("the data file is damaged; asking the user", "error", damage)
	var fresh atomic.Bool
	var window atomic.Pointer[context.Context]
	page := damagedPage(damage.Path, func(f bool) {
		fresh.Store(f)
		if c := window.Load(); c != nil {
			runtime.Quit(*c)
		}
	})
	err := wails.Run(&options.App{
		Title:            "Leadbell",
		Width:            640,
		Height:           600,
		MinWidth:         480,
		MinHeight:        420,
		BackgroundColour: &options.RGBA{R: 247, G: 248, B: 250, A: 255},
		AssetServer:      &assetserver.Options{Handler: page},
		OnStartup: func(c context.Context) {
			window.Store(&c)
			go func() {
				<-ctx.Done()
				runtime.Quit(c)
			}()
		},
		Linux: &linux.Options{Icon: icon, ProgramName: "leadbell", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	if err != nil {
		return err
	}
	if fresh.Load() {
		return ErrRestart
	}
	return nil
}
