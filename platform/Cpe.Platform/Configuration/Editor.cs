namespace Cpe.Platform.Configuration;

/// <summary>Who edits: an API session and the user (and source) its commits are recorded under.</summary>
public sealed record Editor(int SessionId, string User, string Source);
