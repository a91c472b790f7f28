; Inno Setup 6 script: the Ferry installer for 64-bit Windows 10 and 11.
;
; Build ferry.exe first (cargo build --release, on Windows: build.rs embeds the icon and
; version information), then, from the repository root:
;
;   iscc /DAppVersion=0.1.0 packaging\windows\ferry.iss
;
; Output: target\windows\Ferry-<version>-windows-x64-setup.exe. The installer puts ferry.exe
; in {autopf}\Ferry (per user: %LOCALAPPDATA%\Programs\Ferry; for all users, when run as
; administrator or chosen in the dialog: C:\Program Files\Ferry), adds a Start menu
; shortcut (and a desktop one if ticked) and registers an uninstaller in Settings > Apps.
; Uninstalling removes the program, not the user's settings, sites, pins or queue.

#define AppName "Ferry"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppExeName "ferry.exe"
#ifndef SourceExe
  #define SourceExe "..\..\target\release\ferry.exe"
#endif
; The command line (a console program: ferry.exe is a GUI one, whose output Windows does not
; show in a terminal). Installed as ferry.com next to ferry.exe: typing `ferry` in cmd or
; PowerShell runs the .com first (PATHEXT order), so `ferry get ...` prints as it should.
#ifndef SourceCliExe
  #define SourceCliExe "..\..\target\release\ferry-cli.exe"
#endif

[Setup]
; The app id shared with the Linux and macOS packages; keep it: upgrades find the earlier
; install through it.
AppId=io.github.ferry_ftps.Ferry
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The Ferry developers
AppPublisherURL=https://github.com/ferry-ftps/ferry
AppSupportURL=https://github.com/ferry-ftps/ferry/issues
AppUpdatesURL=https://github.com/ferry-ftps/ferry/releases
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} installer
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SetupIconFile=..\..\assets\ferry.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputDir=..\..\target\windows
OutputBaseFilename=Ferry-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceExe}"; DestDir: "{app}"; DestName: "{#AppExeName}"; Flags: ignoreversion
Source: "{#SourceCliExe}"; DestDir: "{app}"; DestName: "ferry.com"; Flags: ignoreversion
Source: "..\..\README.md"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "FTPS client"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "FTPS client"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
