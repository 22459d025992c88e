package engine

import (
	"context"
	"fmt"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/store"
)

// What Leadbell says and does while its disk refuses new events (the store's
// Health): the status's state and sentence, and a notification when it
// starts and when it ends. The receiver answers 503 meanwhile, and the
// watchdog notes the gap, caught up once saving works again.

// storageStatus sets st's state, message and Storage while the store
// cannot save; it leaves st alone otherwise.
func storageStatus(st *api.Status, h store.Health, failed error, dataDir string) {
	if h.OK() {
		return
	}
	st.State = api.StateCannotSave
	st.Storage = &api.Storage{Problem: h.Problem, Since: h.Since, DataDir: dataDir}
	free, ok := freeSpace(dataDir)
	if ok {
		st.Storage.FreeBytes = &free
	}
	st.Message = storageMessage(h.Problem, dataDir, free, ok, failed != nil)
}

// storageMessage is the status's sentence for problem, for a salesperson.
func storageMessage(problem, dataDir string, free uint64, freeKnown, restart bool) string {
	const resend = "SmartLead will send them again"
	switch problem {
	case store.ProblemDiskFull:
		where := "Free some space on the disk that holds " + dataDir + "."
		if freeKnown {
			where = fmt.Sprintf("%s free on the disk that holds %s.", sizeWords(free), dataDir)
		}
		return fmt.Sprintf("Your disk is full: Leadbell cannot save new replies; %s once there is room. %s", resend, where)
	case store.ProblemReadOnly:
		return fmt.Sprintf("Your disk has become read-only: Leadbell cannot save new replies; %s once Leadbell can write to %s again.", resend, dataDir)
	case store.ProblemRemoved:
		return fmt.Sprintf("Leadbell's data folder %s was removed while Leadbell was running: it cannot save new replies. Put the folder back, or restart Leadbell to start a new one; %s.", dataDir, resend)
	}
	if restart {
		return fmt.Sprintf("Your disk reported an error: Leadbell cannot save new replies; %s. Restart Leadbell; if this happens again, check the disk that holds %s.", resend, dataDir)
	}
	return fmt.Sprintf("Your disk reported an error: Leadbell cannot save new replies; %s once it can write to %s again.", resend, dataDir)
}

// sizeWords is n bytes as a person says it: 0 bytes, 64 KB, 12 MB, 3.4 GB.
func sizeWords(n uint64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", n>>10)
	case n < 1<<30:
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
}

// Notice is a notification Leadbell raises about itself.
type Notice struct{ Title, Body string }

// WatchStorage calls notice once when the store of in stops being able to
// save and once when it can again, until ctx ends.
func WatchStorage(ctx context.Context, st *store.Store, dataDir string, notice func(Notice)) {
	prev := store.Health{}
	for {
		changed := st.HealthChanged()
		h := st.Health()
		switch {
		case prev.OK() && !h.OK():
			var status api.Status
			storageStatus(&status, h, st.Failed(), dataDir)
			notice(Notice{Title: "Leadbell cannot save new replies", Body: status.Message})
		case !prev.OK() && h.OK():
			notice(Notice{Title: "Leadbell is saving replies again", Body: "SmartLead sends again what it could not deliver meanwhile, and Leadbell catches up on the rest."})
		}
		prev = h
		select {
		case <-changed:
		case <-ctx.Done():
			return
		}
	}
}
