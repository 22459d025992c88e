package smartlead

import (
	"path/filepath"
	"testing"
	"time"
)

func TestReplyOf(t *testing.T) {
	tests := []struct {
		file string
		want Reply
	}{
		{"live_email_reply.json", Reply{StatsID: martaStats, MessageID: "<CAF=x9Qp2vY8@mail.brightpath.example>",
			Time: mustTime(t, "2024-03-05T08:41:10Z"), HTML: "<div dir=\"ltr\">Hi Tom,<br><br>Yes, happy to chat. Does Thursday 2pm work?<br><br>Marta</div>"}},
		{filepath.Join("pages", "live_email_reply.json"), Reply{StatsID: "a891fe37-c45d-21e8-67ba-fcd44e9c33a8",
			MessageID: "<BDD5kUwc77maSjLRv2gmq35VkzEF9K4L3csPPCVx8e5kWbUnrsD@mail.gmail.com>", Time: mustTime(t, "2025-03-28T09:35:01Z")}},
		{filepath.Join("pages", "spec_email_replied.json"), Reply{MessageID: "reply-abc123", Time: mustTime(t, "2024-11-25T11:00:00Z"),
			HTML: "Thanks for reaching out. I'm interested..."}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := ReplyOf(readFixture(t, tt.file))
			if got.StatsID != tt.want.StatsID || got.MessageID != tt.want.MessageID || !got.Time.Equal(tt.want.Time) || got.HTML != tt.want.HTML {
				t.Errorf("ReplyOf = %+v\nwant       %+v", got, tt.want)
			}
		})
	}
	if got := ReplyOf([]byte("not json")); got != (Reply{Time: time.Time{}}) {
		t.Errorf("ReplyOf(junk) = %+v, want nothing", got)
	}
}
