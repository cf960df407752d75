package dev.dialtone.conversation;

/** The fixed lines a call may speak besides the flow's own (all cached per voice). */
record Phrases(String reprompt, String goodbye, String apology, String timeLimit, String transferring, String holdOn,
               String transferMissed) {
    static final Phrases ENGLISH = new Phrases(
            "Are you still there?",
            "Thanks for calling. Goodbye!",
            "Sorry, I had a problem just now. Could you say that again?",
            "I'm sorry, we've reached the time limit for this call. Goodbye!",
            "Please hold while I transfer you.",
            "Just a moment, please.",
            "Sorry, nobody could take your call just now. I'm still here to help.");
}
