// Package triage suggests what a cold-email reply is, on the device and
// before SmartLead has categorised it: one of eight classes (Classes), with
// a reason a salesperson can check at a glance, the return date of an
// out-of-office reply and the person a wrong-person reply points to.
//
// It is a small set of rules, not a model: nothing is downloaded, nothing
// leaves the machine, and every suggestion can be traced to the phrase
// that made it. The rules read English, German, French and Spanish.
//
// # What is read
//
// Only what the lead wrote. The body (plain text, first 20 KB) loses lines
// quoted with ">", everything under an attribution ("On ... wrote:", "Am
// ... schrieb", "Le ... a écrit", "El ... escribió") unless the lead
// answers below a ">" quote, Outlook's "From: / Sent:" block and
// "-----Original Message-----" separators, the "-- " signature and legal
// disclaimers. The subject counts only for the words before a reply
// prefix: "Re: Quick question?" is the salesperson's, "Automatic reply:"
// or "Unsubscribe" is the lead's side. Text is lower-cased and its accents
// folded (ü as ue, é as e) so one cue matches "zurück" and "zurueck".
//
// # The order of the rules
//
// Cues are tried class by class in this order, and the first class with a
// matching cue wins. The order is the design: a reply often has cues of
// several classes, and the earlier class is the one that changes what the
// salesperson must do.
//
//  1. Headers. A delivery report (multipart/report, MAILER-DAEMON) is an
//     auto_reply whatever the text says. Other automatic headers
//     (Auto-Submitted, X-Autoreply, Precedence: bulk) do not say what kind
//     of automatic reply it is, so they rule out the classes only a person
//     writes (unsubscribe, not_now, not_interested, interested, question)
//     and leave out_of_office, wrong_person and auto_reply to the text;
//     with none of those, the reply is an auto_reply. Headers beat text
//     because an auto-responder's "thanks for your interest, we'll call
//     you" is not interest.
//  2. Delivery failures in the text: auto_reply. A bounce often carries a
//     copy of the campaign e-mail, with its "reply unsubscribe" line.
//  3. unsubscribe beats everything a person writes: "not interested,
//     remove me" must be honoured as a removal, not filed as a no. Only a
//     lead who has left and names who to write to instead is wrong_person,
//     because the referral is worth more than the removal.
//  4. wrong_person beats out_of_office and auto_reply: "Jane has left,
//     this mailbox is not monitored, write to sales@" is automatic, but
//     what matters is that Jane is gone.
//  5. out_of_office beats auto_reply because it is the more precise kind
//     of automatic reply and carries a return date; and it beats the
//     classes below because auto-replies say things like "need urgent
//     help?" or "call me": an out-of-office that also asks a question is
//     still out_of_office.
//  6. Other automatic replies (ticket receipts, "this mailbox is not
//     monitored", "this is an automated message"): auto_reply.
//  7. not_now beats not_interested and interested: "not interested right
//     now, maybe next quarter" and "interested, but not before Q3" are
//     both a follow-up later.
//  8. not_interested beats interested and question: "no thanks, why do you
//     keep writing?" is a no.
//  9. interested beats question: "could we talk Thursday at 2pm?" is a
//     meeting request phrased as a question.
//  10. question: a specific question cue (price, how it works, where the
//     address came from), then any question mark.
//
// A reply with no cue at all is a question, with a reason that says so:
// it needs a person to read it.
//
// # Return dates and referrals
//
// An out_of_office return date is taken only from a date that a return
// word ("until", "back", "bis", "wieder", "jusqu'au", "de retour", "hasta",
// "vuelvo") touches in the same sentence, or that ends a range ("del 3
// al 14 de agosto"). Dates without a year and weekdays are resolved
// against Reply.Received; "12/01" is read day first in German, French and
// Spanish text, and in English only when the other reading is not a
// plausible return date. Whatever would need a guess is left zero.
//
// A wrong_person referral is an e-mail address and/or a name (two or three
// capitalised words, or a title and a surname) that a pointing phrase
// ("please contact", "wenden Sie sich an", "adressez-vous à", "habla
// con") stands before, or a responsibility phrase ("handles this", "ist
// zuständig") after.
//
// # Untrusted input
//
// Replies are written by strangers. Go's regular expressions run in linear
// time, the text read is capped, header values are capped and not echoed,
// and Classify never panics (FuzzClassify).
//
// # Speed
//
// Classify runs on every incoming reply: a typical one takes tens of
// microseconds, the worst 20 KB a stranger can send a few milliseconds
// (BenchmarkClassify). Go's regular expressions are slow on alternations
// of many phrases, since every position of the text starts every phrase,
// so the rules are not run over the whole text: the strings each phrase
// needs are read from its syntax (needs.go, shapes.go) and found for all
// rules in one pass (lexicon.go), and a rule's expression runs only on
// windows around them (scanner.go), with the result it has on the whole
// text (TestScannersAgree, FuzzScanners).
//
// # Measuring
//
// Evaluate scores Classify against a labelled corpus (one JSON object a
// line, see Example) and renders precision and recall per class as a
// markdown table. testdata/corpus.jsonl is what the rules were developed
// against; testdata/holdout.jsonl was written before the rules and is
// never tuned against, so its figures are the ones to believe.
package triage
